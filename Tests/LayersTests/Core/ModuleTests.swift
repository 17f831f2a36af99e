import Testing
import TensorEngine
import Layers

/// A two-level module tree shaped like timm's naming (`blocks.0.fc.weight`, derived buffers).
private final class Block: Module {
    let fc: Linear
    let index = Tensor(shape: [2], values: [0, 1])
    init(using random: inout RandomGenerator) { fc = Linear(3, 2, using: &random) }
    func visitState(_ visitor: inout StateVisitor) {
        visitor.child("fc", fc)
        visitor.buffer("relative_position_index", index, persistent: false)
    }
}

private final class Network: Module {
    let blocks: [Block]
    let head: Linear
    let runningMean = Tensor.zeros([2])
    init(classes: Int, seed: UInt64 = 1) {
        var random = RandomGenerator(seed: seed)
        blocks = [Block(using: &random), Block(using: &random)]
        head = Linear(2, classes, using: &random)
    }
    func visitState(_ visitor: inout StateVisitor) {
        visitor.children("blocks", blocks)
        visitor.child("head", head)
        visitor.buffer("running_mean", runningMean)
    }
}

@Suite struct ModuleTests {
    @Test func dottedNamesAndCounts() {
        let network = Network(classes: 4)
        #expect(network.namedParameters().map(\.name) == [
            "blocks.0.fc.weight", "blocks.0.fc.bias", "blocks.1.fc.weight", "blocks.1.fc.bias", "head.weight", "head.bias",
        ])
        #expect(network.parameterCount == 2 * (6 + 2) + 8 + 4)
        #expect(network.stateDict().map(\.name).contains("running_mean"))
        #expect(!network.stateDict().map(\.name).contains("blocks.0.relative_position_index"))
    }

    @Test func loadsStateAndSkipsDerivedBuffers() throws {
        let source = Network(classes: 4, seed: 2), target = Network(classes: 4, seed: 3)
        var state = Dictionary(uniqueKeysWithValues: source.stateDict().map { ($0.name, $0.tensor) })
        state["blocks.1.relative_position_index"] = Tensor(shape: [2], values: [0, 1])
        let report = try target.loadState(state, source: "w.safetensors")
        #expect(report.derivedSkipped == ["blocks.1.relative_position_index"])
        #expect(target.head.weight.scalars == source.head.weight.scalars)
    }

    @Test func missingUnexpectedAndMisshapenKeysAreListed() {
        let target = Network(classes: 4)
        var state = Dictionary(uniqueKeysWithValues: Network(classes: 4).stateDict().map { ($0.name, $0.tensor) })
        state["blocks.0.fc.weight"] = nil
        state["blocks.0.fc.weights"] = Tensor.zeros([2, 3])
        state["head.bias"] = Tensor.zeros([5])
        let error = #expect(throws: StateLoadError.self) { try target.loadState(state, source: "w.safetensors") }
        let message = error?.description ?? ""
        #expect(message.contains("w.safetensors"))
        #expect(message.contains("missing keys (1): blocks.0.fc.weight"))
        #expect(message.contains("unexpected keys (1): blocks.0.fc.weights"))
        #expect(message.contains("head.bias is [5] in the file, the model needs [4]"))
    }

    @Test func classifierOfAnotherSizeIsReplacedWithNotice() throws {
        let source = Network(classes: 10), target = Network(classes: 4)
        let before = target.head.weight.scalars
        let state = Dictionary(uniqueKeysWithValues: source.stateDict().map { ($0.name, $0.tensor) })
        let report = try target.loadState(state, source: "w", replaceableOnMismatch: ["head.weight", "head.bias"])
        #expect(target.head.weight.scalars == before)
        #expect(report.notices.first?.contains("head.weight [10, 2]→[4, 2]") == true)
        #expect(target.blocks[0].fc.weight.scalars == source.blocks[0].fc.weight.scalars)
    }
}
