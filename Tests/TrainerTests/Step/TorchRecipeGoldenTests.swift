import Foundation
import Testing
import TensorEngine
import Layers
import Recipes
import Training
@testable import Models
@testable import Trainer

/// The recipe pieces torch and torchvision define, against their own code
/// (`tools/make_recipe_parity.py` → `Fixtures/torch_recipes.json`): `SWALR`'s rates,
/// `update_bn`'s statistics, torchvision's model-EMA adjustment and update calendar, and
/// torchvision's weight-decay groups on its Swin V2-T.
@Suite struct TorchRecipeGoldenTests {
    nonisolated(unsafe) static let golden: [String: Any] = {
        let url = Bundle.module.url(forResource: "torch_recipes", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    static func doubles(_ value: Any?) -> [Double] { (value as? [NSNumber])?.map(\.doubleValue) ?? [] }

    @Test func swalrRates() throws {
        let cases = try #require(Self.golden["swalr"] as? [[String: Any]])
        #expect(cases.count == 5)
        for testCase in cases {
            let strategy = try #require(SWALRSchedule.Strategy(rawValue: testCase["strategy"] as! String))
            let anneal = (testCase["anneal_epochs"] as! NSNumber).intValue
            let swaRate = (testCase["swa_lr"] as! NSNumber).doubleValue
            let initial = (testCase["initial_lr"] as! NSNumber).doubleValue
            let expected = Self.doubles(testCase["lrs"])
            // The plan: averaging from 1-based epoch 3, so epoch 2 + j trains at SWALR's rate after j steps.
            let plan = SWALRSchedule(startEpoch: 3, strategy: strategy, swaLearningRate: swaRate, annealEpochs: anneal,
                                     initialLearningRate: initial, epochs: 2 + expected.count)
            #expect(plan.learningRate(epoch: 1, batch: 0) == nil)
            for (steps, rate) in expected.enumerated() {
                let actual = try #require(plan.learningRate(epoch: 2 + steps, batch: 5))
                #expect(abs(actual - rate) <= 1e-12 * max(rate, 1e-3), "\(strategy) anneal \(anneal): after \(steps) steps \(actual), torch \(rate)")
            }
        }
    }

    @Test func updateBatchNormStatistics() throws {
        let golden = try #require(Self.golden["update_bn"] as? [String: Any])
        let shapes = try #require(golden["batch_shapes"] as? [[NSNumber]]).map { $0.map(\.intValue) }
        let inputs = try #require(golden["inputs"] as? [[NSNumber]]).map { $0.map { $0.floatValue } }
        let normalization = BatchNorm2d(3)
        normalization.runningMean.data.update(repeating: 0.3, count: 3)
        normalization.runningVariance.data.update(repeating: 2.0, count: 3)
        // What the session's update_bn pass does to each batch-norm layer.
        normalization.resetRunningStatistics()
        normalization.momentum = nil
        let context = ForwardContext(training: true, random: RandomGenerator(seed: 1))
        for (shape, values) in zip(shapes, inputs) {
            Tape.withoutRecording { _ = normalization(Tensor(shape: shape, values: values), context) }
        }
        let mean = Array(UnsafeBufferPointer(start: normalization.runningMean.data, count: 3))
        let variance = Array(UnsafeBufferPointer(start: normalization.runningVariance.data, count: 3))
        for (actual, expected) in zip(mean, Self.doubles(golden["running_mean"])) { #expect(abs(Double(actual) - expected) <= 1e-6) }
        for (actual, expected) in zip(variance, Self.doubles(golden["running_var"])) { #expect(abs(Double(actual) - expected) <= 1e-5 * expected) }
        #expect(normalization.batchesTracked.data[0] == 3)
    }

    @Test func torchvisionEMADecayAdjustment() throws {
        let golden = try #require(Self.golden["ema_torchvision"] as? [String: Any])
        for testCase in try #require(golden["adjusted_decays"] as? [[String: NSNumber]]) {
            let adjusted = ExponentialMovingAverage.torchvisionDecay(
                decay: testCase["decay"]!.doubleValue, batchSize: testCase["batch_size"]!.intValue,
                worldSize: testCase["world_size"]!.intValue, updateEvery: testCase["steps"]!.intValue,
                epochs: testCase["epochs"]!.intValue)
            #expect(abs(adjusted - testCase["adjusted"]!.doubleValue) <= 1e-12)
        }
    }

    /// torchvision updates its EMA after batches 0, k, 2k, … of every epoch and restarts it after
    /// each update of the warm-up epochs; ``EMAAverager`` with `ema_adjust` follows step by step.
    @Test func torchvisionEMACalendar() throws {
        let golden = try #require(Self.golden["ema_torchvision"] as? [String: Any])
        let perEpoch = (golden["batches_per_epoch"] as! NSNumber).intValue
        let weight = Tensor(shape: [6], values: Self.doubles(golden["initial_w"]).map(Float.init))
        let parameters = [(name: "w", tensor: weight)]
        let averager = EMAAverager(parameters, decay: .fixed((golden["decay"] as! NSNumber).doubleValue),
                                   every: (golden["model_ema_steps"] as! NSNumber).intValue, updatesPerEpoch: perEpoch,
                                   restartEpochs: (golden["lr_warmup_epochs"] as! NSNumber).intValue)
        for entry in try #require(golden["sequence"] as? [[String: Any]]) {
            let epoch = (entry["epoch"] as! NSNumber).intValue, batch = (entry["batch"] as! NSNumber).intValue
            let w = Self.doubles(entry["w"])
            for (index, value) in w.enumerated() { weight.data[index] = Float(value) }
            averager.update(from: parameters, step: epoch * perEpoch + batch + 1)
            let average = averager.averagedWeights[0].tensor
            for (index, expected) in Self.doubles(entry["ema"]).enumerated() {
                #expect(abs(Double(average.data[index]) - expected) <= 1e-6, "epoch \(epoch) batch \(batch) [\(index)]")
            }
        }
    }

    /// The group of the runner's for one of torchvision's: its embedding keys' groups (named by
    /// key, one per dotted parameter name) are the runner's one `transformer_embedding`.
    static func runnerGroup(_ torchvisionGroup: String) -> String {
        ["other", "norm", "bias"].contains(torchvisionGroup) ? torchvisionGroup : "transformer_embedding"
    }

    /// torchvision's Swin V2 recipe (`--norm-weight-decay 0 --bias-weight-decay 0
    /// --transformer-embedding-decay 0`) puts every parameter of `swin_v2_t` where torchvision's
    /// `set_weight_decay` does with the embedding keys extended by Swin V2's position parameters
    /// (one dotted key per `cpb_mlp` / `logit_scale` parameter): norms' weights in `norm`, every
    /// bias (`qkv.bias` and `cpb_mlp.0.bias` included) in `bias`, the `cpb_mlp` weights and
    /// `logit_scale` in `transformer_embedding`, everything else in `other`.
    @Test func swinV2TinyWeightDecayGroups() throws {
        let golden = try #require(Self.golden["weight_decay_groups_swin_v2_t"] as? [String: Any])
        let experiment = try Experiment.load(yaml: """
            model: swin_v2_t
            opt: adamw
            weight_decay: 0.05
            norm_weight_decay: 0.0
            bias_weight_decay: 0.0
            transformer_embedding_decay: 0.0

            """, path: "swin_v2_t.yaml")
        let model = try ModelAssembly.build(experiment, classes: 1000)
        let groups = TrainingAssembly.parameterGroups(model.namedParameters(), experiment.optimizer, model: model)
        #expect(groups.map(\.name) == ["other", "norm", "bias", "transformer_embedding"])
        var ours: [String: (group: String, decay: Float)] = [:]
        for group in groups { for parameter in group.parameters { ours[parameter.name] = (group.name, group.weightDecay) } }

        var covered = Set<String>()
        for entry in try #require(golden["parameters"] as? [[String: Any]]) {
            let name = entry["name"] as! String
            let mapped = try #require(SwinV2WeightNames.fromTorchvision(name), "\(name) has no counterpart")
            // The torchvision flavour keeps qkv.bias; a timm-named model would split it.
            let names = ours[mapped] != nil || !mapped.hasSuffix(".qkv.bias")
                ? [mapped]
                : [String(mapped.dropLast("qkv.bias".count)) + "q_bias", String(mapped.dropLast("qkv.bias".count)) + "v_bias"]
            for ourName in names {
                let placed = try #require(ours[ourName], "\(ourName) (torchvision \(name)) is in no group")
                #expect(placed.group == Self.runnerGroup(entry["group"] as! String), "\(ourName): \(placed.group), torchvision \(entry["group"]!)")
                #expect(placed.decay == (entry["weight_decay"] as! NSNumber).floatValue)
                covered.insert(ourName)
            }
        }
        #expect(Set(ours.keys) == covered, "parameters torchvision does not have: \(Set(ours.keys).subtracting(covered).sorted())")
    }
}
