import Testing
@testable import Training

/// keras-swa's schedules, checked against values worked out by hand from swa/callback.py.
@Suite struct SWAScheduleTests {
    @Test func constantScheduleAnnealsThenHolds() throws {
        // start_epoch 11 → s = 10; lr 0.1, swa_lr auto = 0.01, ratio 0.1.
        let schedule = try SWALearningRateSchedule(startEpoch: 11, mode: .constant, initialLearningRate: 0.1,
                                                   epochs: 20, stepsPerEpoch: 4)
        #expect(schedule.swaLearningRate == 0.1 * 0.1)
        let rates = (0..<20).map { schedule.learningRate(epoch: $0, batch: 0)! }
        for epoch in 0...5 { #expect(rates[epoch] == 0.1) }               // t ≤ 0.5
        #expect(abs(rates[7] - 0.1 * (1 - 0.9 * 0.2 / 0.4)) < 1e-15)       // t = 0.7
        #expect(abs(rates[9] - 0.01) < 1e-15)                              // t = 0.9 reaches r
        for epoch in 10..<20 { #expect(abs(rates[epoch] - 0.01) < 1e-15) }
        #expect(schedule.averagesAfter(epoch: 10) && schedule.averagesAfter(epoch: 19) && !schedule.averagesAfter(epoch: 9))
        #expect(schedule.averagedCount(before: 13) == 3)
    }

    @Test func cyclicScheduleFallsWithinEachCycle() throws {
        // The seed recipe's shape: swa_lr 0.001, swa_lr2 0.003, swa_freq 3; here start 5 (s = 4), 2 batches.
        let schedule = try SWALearningRateSchedule(startEpoch: 5, mode: .cyclic, swaLearningRate: 0.001,
                                                   swaLearningRate2: 0.003, swaFrequency: 3, initialLearningRate: 0.01,
                                                   epochs: 12, stepsPerEpoch: 2, hasBatchNorm: true)
        let cycle = [4, 5, 6].flatMap { epoch in (0..<2).map { schedule.learningRate(epoch: epoch, batch: $0)! } }
        let expected = (1...6).map { i -> Double in let t = Double(i) / 6; return (1 - t) * 0.003 + t * 0.001 }
        expectClose(cycle, expected, "cyclic")
        #expect(schedule.learningRate(epoch: 7, batch: 0) == cycle[0])     // next cycle restarts
        #expect(schedule.learningRate(epoch: 1, batch: 1) == 0.01)         // before s: constant schedule, t = 0.25
        #expect(schedule.learningRate(epoch: 11, batch: 0) == 0)           // batch-norm epoch
        #expect(schedule.averagesAfter(epoch: 4) && schedule.averagesAfter(epoch: 7) && !schedule.averagesAfter(epoch: 5))
        #expect(!schedule.averagesAfter(epoch: 10) || !schedule.isBatchNormEpoch(10))
        #expect(try SWALearningRateSchedule(startEpoch: 5, mode: .manual, initialLearningRate: 0.1, epochs: 12,
                                            stepsPerEpoch: 2).learningRate(epoch: 6, batch: 0) == nil)
    }

    @Test func autoRates() throws {
        let schedule = try SWALearningRateSchedule(startEpoch: 3, mode: .cyclic, swaFrequency: 2, initialLearningRate: 0.2,
                                                   epochs: 10, stepsPerEpoch: 1)
        #expect(abs(schedule.swaLearningRate - 0.02) < 1e-15)
        #expect(abs(schedule.swaLearningRate2 - (0.02 + 0.25 * 0.18)) < 1e-15)
    }

    @Test func kerasSWAValidations() {
        func make(_ start: Int, _ mode: SWALearningRateSchedule.Mode, low: Double? = nil, high: Double? = nil,
                  frequency: Int = 1, lr: Double = 0.1, epochs: Int = 10) throws {
            _ = try SWALearningRateSchedule(startEpoch: start, mode: mode, swaLearningRate: low, swaLearningRate2: high,
                                            swaFrequency: frequency, initialLearningRate: lr, epochs: epochs, stepsPerEpoch: 5)
        }
        #expect(throws: ScheduleError("\"swa_start\" attribute cannot be lower than 2.")) { try make(1, .constant) }
        #expect(throws: ScheduleError("\"swa_start\" attribute must be lower than \"epochs\".")) { try make(10, .constant) }
        #expect(throws: ScheduleError("\"swa_freq\" must be higher than 1 for cyclic schedule.")) { try make(3, .cyclic) }
        #expect(throws: ScheduleError("\"swa_lr2\" cannot be manually set if \"swa_lr\" is automatic.")) {
            try make(3, .constant, high: 0.05)
        }
        #expect(throws: ScheduleError("\"swa_lr\" must be lower than \"swa_lr2\".")) {
            try make(3, .cyclic, low: 0.05, high: 0.01, frequency: 2)
        }
        #expect(throws: ScheduleError("\"swa_lr\" must be lower than rate set in optimizer.")) {
            try make(3, .constant, low: 0.5)
        }
        #expect(throws: Never.self) { try make(9, .constant) }
    }
}
