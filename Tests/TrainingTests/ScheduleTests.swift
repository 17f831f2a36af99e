import Testing
@testable import Training

@Suite struct ScheduleTests {
    nonisolated(unsafe) static let section = Fixture.section("schedules")

    static func schedule(_ arguments: [String: Any]) throws -> LearningRateSchedule {
        func int(_ key: String, _ fallback: Int) -> Int { (arguments[key] as? NSNumberLike)?.intValue ?? fallback }
        func double(_ key: String, _ fallback: Double) -> Double { (arguments[key] as? NSNumberLike)?.doubleValue ?? fallback }
        return try LearningRateSchedule(
            kind: ScheduleKind(rawValue: arguments["scheduler"] as! String)!,
            learningRate: double("lr", 0.01), minimumLearningRate: double("min_lr", 1e-6),
            warmupEpochs: int("warmup_epochs", 3), warmupFactor: double("warmup_factor", 0),
            decayEpochs: int("decay_epochs", 10), decayRate: double("decay_rate", 0.9),
            milestones: (arguments["milestones"] as? [NSNumberLike])?.map(\.intValue) ?? [],
            epochs: int("num_epochs", 200), stepsPerEpoch: int("steps_per_epoch", 1),
            cycles: int("num_cycles", 1), cycleDecay: double("cycle_decay", 1),
            epochStair: (arguments["lr_epoch_stair"] as? Bool) ?? false)
    }

    @Test func matchesMindCVCreateScheduler() throws {
        for entry in Self.section["mindcv"] as! [[String: Any]] {
            let arguments = entry["args"] as! [String: Any]
            let expected = doubles(entry["lrs"])
            let schedule = try Self.schedule(arguments)
            #expect(schedule.totalSteps == expected.count)
            let ours = (0..<expected.count).map { schedule.learningRate(step: $0) }
            expectClose(ours, expected, absolute: 1e-15, relative: 1e-12,
                        "\(arguments["scheduler"]!) stair=\(arguments["lr_epoch_stair"] ?? false) \(arguments)")
            #expect(schedule.learningRate(step: expected.count + 5) == ours.last)
        }
    }

    @Test func coincidesWithPyTorchSchedulers() throws {
        let torch = Self.section["torch"] as! [String: Any]
        let perEpoch: [(String, LearningRateSchedule)] = [
            ("exponential_per_epoch", try LearningRateSchedule(kind: .exponentialDecay, learningRate: 0.1, warmupEpochs: 0,
                                                               decayRate: 0.8, epochs: 12, stepsPerEpoch: 3, epochStair: true)),
            ("step_per_epoch", try LearningRateSchedule(kind: .stepDecay, learningRate: 0.1, warmupEpochs: 0, decayEpochs: 3,
                                                        decayRate: 0.5, epochs: 12, stepsPerEpoch: 3)),
            ("multistep_per_epoch", try LearningRateSchedule(kind: .multiStepDecay, learningRate: 0.1, warmupEpochs: 0,
                                                             decayRate: 0.3, milestones: [9, 2, 5], epochs: 12, stepsPerEpoch: 3)),
        ]
        for (name, schedule) in perEpoch {
            let expected = doubles(torch[name])
            expectClose((0..<expected.count).map { schedule.learningRate(epoch: $0) }, expected,
                        absolute: 1e-12, relative: 1e-9, name)
        }
        let perStep: [(String, LearningRateSchedule)] = [
            ("one_cycle_per_step", try LearningRateSchedule(kind: .oneCycle, learningRate: 0.1, minimumLearningRate: 1e-3,
                                                            warmupEpochs: 0, epochs: 12, stepsPerEpoch: 3)),
            ("cyclic_per_step", try LearningRateSchedule(kind: .cyclic, learningRate: 0.1, minimumLearningRate: 1e-3,
                                                         warmupEpochs: 0, epochs: 12, stepsPerEpoch: 3, cycles: 3)),
        ]
        for (name, schedule) in perStep {
            let expected = doubles(torch[name])
            expectClose((0..<expected.count).map { schedule.learningRate(step: $0) }, expected,
                        absolute: 1e-12, relative: 1e-9, name)
        }
    }

    @Test func torchvisionWarmupThenCosine() throws {
        for entry in Self.section["torchvision"] as! [[String: Any]] {
            let method = WarmupCosineAnnealing.Warmup(rawValue: entry["method"] as! String)!
            let schedule = try WarmupCosineAnnealing(
                learningRate: (entry["lr"] as! NSNumberLike).doubleValue,
                minimumLearningRate: (entry["lr_min"] as! NSNumberLike).doubleValue,
                warmupEpochs: (entry["warmup"] as! NSNumberLike).intValue,
                warmupDecay: (entry["decay"] as! NSNumberLike).doubleValue, warmup: method,
                epochs: (entry["epochs"] as! NSNumberLike).intValue)
            let expected = doubles(entry["lrs"])
            expectClose((0..<expected.count).map { schedule.learningRate(epoch: $0) }, expected,
                        absolute: 1e-12, relative: 1e-9, "torchvision \(method)")
        }
    }

    @Test func rejectsWhatMindCVRejects() {
        #expect(throws: ScheduleError("one_cycle doesn't support learning rate varies with epoch and warmup_epochs > 0")) {
            try LearningRateSchedule(kind: .oneCycle, learningRate: 0.1, warmupEpochs: 1, epochs: 10, stepsPerEpoch: 5)
        }
        #expect(throws: ScheduleError("cyclic doesn't support learning rate varies with epoch and warmup_epochs > 0")) {
            try LearningRateSchedule(kind: .cyclic, learningRate: 0.1, warmupEpochs: 0, epochs: 10, stepsPerEpoch: 5,
                                     epochStair: true)
        }
        #expect(throws: ScheduleError.self) {
            try LearningRateSchedule(kind: .cosineDecay, learningRate: 0.1, decayEpochs: 0, epochs: 10, stepsPerEpoch: 5)
        }
    }

    /// A warm-up as long as the run (a one-epoch smoke run of a recipe with a one-epoch warm-up)
    /// ramps for the whole run instead of being refused.
    @Test func warmupLongerThanTheRunRampsThroughout() throws {
        let schedule = try LearningRateSchedule(kind: .cosineDecay, learningRate: 0.1, warmupEpochs: 2, warmupFactor: 0,
                                                decayEpochs: 5, epochs: 1, stepsPerEpoch: 4)
        for (step, expected) in [0, 0.0125, 0.025, 0.0375].enumerated() {
            #expect(abs(schedule.learningRate(step: step) - expected) < 1e-15)
        }
    }

    @Test func mindCVSwinV2RecipeShape() throws {
        // configs/swinv2_tiny_window8: cosine_decay lr 1e-3, min_lr 1e-6, warmup 20, decay 430, 450 epochs.
        let schedule = try LearningRateSchedule(kind: .cosineDecay, learningRate: 1e-3, minimumLearningRate: 1e-6,
                                                warmupEpochs: 20, decayEpochs: 430, epochs: 450, stepsPerEpoch: 1251)
        #expect(schedule.learningRate(step: 0) == 0)
        #expect(abs(schedule.learningRate(step: 20 * 1251) - 1e-3) < 1e-15)
        #expect(abs(schedule.learningRate(step: 450 * 1251 - 1) - 1e-6) < 1e-12)
    }
}

/// JSON numbers come back as NSNumber; this keeps the casts short.
typealias NSNumberLike = NSNumber
import Foundation
