import Testing
import TensorEngine
@testable import Training

@Suite struct AveragingTests {
    nonisolated(unsafe) static let section = Fixture.section("averaging")

    static func model() -> [(name: String, tensor: Tensor)] {
        let initial = section["initial"] as! [String: Any]
        return [("weight", Tensor(shape: [2, 3], values: floats(initial["weight"]))),
                ("bias", Tensor(shape: [2], values: floats(initial["bias"])))]
    }

    static func set(_ model: [(name: String, tensor: Tensor)], snapshot: Int) {
        let values = (section["snapshots"] as! [[String: Any]])[snapshot]
        for (name, tensor) in model {
            let v = floats(values[name])
            tensor.data.update(from: v, count: v.count)
        }
    }

    @Test func matchesTimmModelEmaV2() {
        let model = Self.model()
        let ema = ExponentialMovingAverage(model, decay: 0.9)
        let expected = (Self.section["ema_v2"] as! [String: Any])["after"] as! [[String: Any]]
        for k in 0..<expected.count {
            Self.set(model, snapshot: k)
            ema.update(from: model)
            for (name, tensor) in ema.averaged {
                expectClose(tensor.scalars, floats(expected[k][name]), "EMA v2 update \(k + 1) \(name)")
            }
        }
    }

    @Test func matchesTimmModelEmaV3WithWarmup() {
        let v3 = Self.section["ema_v3"] as! [String: Any]
        let model = Self.model()
        let ema = ExponentialMovingAverage(model, decay: 0.99, warmup: EMAWarmup(gamma: 1, power: 0.75), updateAfterStep: 1)
        expectClose((0..<8).map { ema.decay(atStep: $0) }, doubles(v3["decays"]), "decays")
        let expected = v3["after"] as! [[String: Any]]
        for k in 0..<expected.count {
            Self.set(model, snapshot: k)
            ema.update(from: model, step: k + 1)
            for (name, tensor) in ema.averaged {
                expectClose(tensor.scalars, floats(expected[k][name]), "EMA v3 update \(k + 1) \(name)")
            }
        }
    }

    @Test func swaRunningMeanMatchesAveragedModel() throws {
        let model = Self.model()
        let swa = StochasticWeightAverage(shapedLike: model)
        let expected = Self.section["swa"] as! [[String: Any]]
        for k in 0..<expected.count {
            Self.set(model, snapshot: k)
            swa.add(model)
            for (name, tensor) in swa.averaged {
                expectClose(tensor.scalars, floats(expected[k][name]), "SWA after \(k + 1) \(name)")
            }
        }
        #expect(swa.count == expected.count)
        let restored = StochasticWeightAverage(shapedLike: model)
        try restored.load(stateTensors: swa.stateTensors())
        #expect(restored.count == swa.count && restored.averaged[0].tensor.scalars == swa.averaged[0].tensor.scalars)
        #expect(throws: OptimizerStateError.missing(name: "n_averaged")) { try restored.load(stateTensors: []) }
        let target = Self.model()
        swa.copy(into: target)
        #expect(target[1].tensor.scalars == swa.averaged[1].tensor.scalars)
    }

    @Test func torchvisionDecayAndRestart() {
        // torchvision's Swin V2 recipe on 8 × 128 for 300 epochs.
        let decay = ExponentialMovingAverage.torchvisionDecay(decay: 0.99998, batchSize: 128, worldSize: 8, updateEvery: 32,
                                                              epochs: 300)
        #expect(abs(decay - (1 - 0.00002 * 8 * 128 * 32 / 300)) < 1e-12)
        let model = Self.model()
        let ema = ExponentialMovingAverage(model, decay: 0.5)
        Self.set(model, snapshot: 0)
        ema.restart()
        ema.update(from: model)
        #expect(ema.averaged[0].tensor.scalars == model[0].tensor.scalars)
    }
}
