import Foundation
import Testing
import TensorEngine
import Datasets
import Recipes
import Distributed
@testable import Trainer

/// A peer that holds fixed sums: what the other rank of a two-process group would contribute.
final class PeerSums: ProcessGroup {
    var floats: [Float] = []
    var doubles: [Double] = []
    let rank = 0, worldSize = 2, localWorldSize = 2
    init(floats: [Float] = [], doubles: [Double] = []) {
        self.floats = floats
        self.doubles = doubles
    }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        for i in buffer.indices { buffer[i] += floats.isEmpty ? buffer[i] : floats.removeFirst() }
    }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) {
        for i in buffer.indices { buffer[i] += doubles.removeFirst() }
    }
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int) {}
    func abort(code: Int32) -> Never { fatalError("abort \(code)") }
    func finish() {}
}

/// Data parallelism's pieces in one process: the gradient average over fused buffers, and
/// distributed validation that counts samples instead of averaging percentages.
@Suite struct DistributedTests {
    /// Each gradient becomes the mean of this rank's and the peer's, whatever the bucket size:
    /// several tensors per bucket, a bucket per tensor, and a tensor larger than a bucket.
    @Test(arguments: [1 << 20, 24, 4])
    func gradientsAreAveragedOverFusedBuckets(bucketBytes: Int) {
        let shapes = [[3, 2], [5], [1], [2, 2]]
        let parameters = shapes.enumerated().map { index, shape in
            let tensor = Tensor.zeros(shape)
            tensor.grad = Tensor(shape: shape, values: (0..<Shape.elementCount(shape)).map { Float(index * 10 + $0) })
            return (name: "p\(index)", tensor: tensor)
        }
        let total = shapes.map(Shape.elementCount).reduce(0, +)
        let peer = (0..<total).map { Float(100 + $0) }
        let reducer = AllReduceGradientReducer(group: PeerSums(floats: peer), bucketBytes: bucketBytes)
        reducer.reduce(parameters)
        var offset = 0
        for (index, parameter) in parameters.enumerated() {
            let gradient = parameter.tensor.grad!
            for i in 0..<gradient.count {
                #expect(gradient.data[i] == (Float(index * 10 + i) + peer[offset + i]) / 2, "p\(index)[\(i)], bucket \(bucketBytes) B")
            }
            offset += gradient.count
        }
    }

    /// Rank 0 evaluates its half of an odd-sized split and the peer contributes the sums of the
    /// other half: the result is the whole split's (every sample once), not the mean of two
    /// percentages.
    @Test func validationCountsEverySampleOnceAcrossRanks() throws {
        let experiment = try Experiment.load(yaml: """
            dataset: synthetic
            num_samples: 63
            val_while_train: True
            batch_size: 7
            val_batch_size: 7
            image_resize: 8
            in_channels: 1
            num_classes: 3
            model: resnet18
            model_kwargs: {width: 8}

            """, path: "odd.yaml")
        let model = try ModelAssembly.build(experiment, classes: 3)
        let whole = try Evaluator.evaluate(model, on: DatasetAssembly.make(experiment, split: .validation))
        #expect(whole.samples == 63)
        let halves = try (0..<2).map { rank in
            try DatasetAssembly.make(experiment, split: .validation, shard: Shard(rank: rank, worldSize: 2, padded: false))
        }
        #expect(halves.map(\.sampleCount) == [32, 31])
        let other = try Evaluator.evaluate(model, on: halves[1])
        let peer = PeerSums(doubles: [other.loss * Double(other.samples), Double(other.samples),
                                      (other.top1 * Double(other.samples) / 100).rounded(),
                                      (other.top5 * Double(other.samples) / 100).rounded(), other.seconds])
        let combined = try Evaluator.evaluate(model, on: halves[0], group: peer)
        #expect(combined.samples == 63)
        #expect(abs(combined.top1 - whole.top1) < 1e-9 && abs(combined.top5 - whole.top5) < 1e-9)
        #expect(abs(combined.loss - whole.loss) < 1e-5 * whole.loss)
    }
}
