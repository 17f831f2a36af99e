import Foundation
import Testing
import Recipes
import Results
import TensorEngine
import Layers
import Trainer

@Suite struct TrainingSessionTests {
    /// `num_classes` left out takes the dataset's ten classes, not the registry's 1000.
    @Test func classesComeFromTheDataset() throws {
        let tiny = try TinyExperiment()
        let assembly = try TrainingAssembly(tiny.experiment())
        #expect(assembly.experiment.model.numClasses == nil)
        #expect(assembly.model.classifierNames.isEmpty == false)
        let head = try #require(assembly.model.namedParameters().first { $0.name == "head.fc.weight" })
        #expect(head.tensor.shape[0] == 10)
    }

    @Test func tooFewClassesIsAnErrorNamingTheKey() throws {
        let tiny = try TinyExperiment()
        #expect(throws: RecipeError.self) { try TrainingAssembly(tiny.experiment([("num_classes", "5")])) }
    }

    /// An EMA is evaluated beside the raw weights every epoch, recorded, and saved as its own best.
    @Test func emaEvaluationsAreRecordedBesideTheRawOnes() throws {
        let tiny = try TinyExperiment()
        let (observation, session) = try tiny.run(tiny.experiment([("ema", "True"), ("ema_decay", "0.9")]))
        #expect(observation.averaged.map { $0[0] + " " + $0[1] } == ["1 ema", "2 ema"])
        #expect(observation.epochs.allSatisfy { $0[3] != nil })
        #expect(observation.files.contains("best-ema.safetensors"))
        let raw = observation.epochs.map { $0[2]! }, averaged = observation.averaged.map { Double($0[2])! }
        #expect(raw != averaged)
        let state = try CheckpointFiles.loadState(for: session.runDirectory.appendingPathComponent("last.safetensors"))
        // Every parameter's average, and MindCV's count of averaging updates (no batch norm here).
        #expect(state.averages["ema"]?.count == session.assembly.model.namedParameters().count + 1)
        let updates = try #require(state.averages["ema"]?.first { $0.0 == "ema.updates" }?.1)
        #expect(updates.data[0] == Float(2 * session.assembly.updatesPerEpoch))
    }

    /// keras-swa: from `swa_start_epoch` 2 the weights at the end of epochs 2, 3 and 4 are averaged;
    /// the average is evaluated beside the raw weights from epoch 2 on, checkpointed with its count
    /// (a resumed run ends with the same average), and kept at the end as `swa.safetensors`; the
    /// constant schedule sets each epoch's rate as keras-swa's formula.
    @Test func swaAveragesEpochEndsAndResumesExactly() throws {
        let tiny = try TinyExperiment()
        let keys = [("swa", "True"), ("swa_start_epoch", "2"), ("epoch_size", "4"), ("swa_lr_schedule", "constant"),
                    ("swa_lr", "0.002"), ("keep_checkpoint_max", "10")]
        let (whole, session) = try tiny.run(tiny.experiment(keys))
        #expect(whole.averaged.map { $0[0] + " " + $0[1] } == ["2 swa", "3 swa", "4 swa"])
        #expect(whole.files.contains("swa.safetensors") && whole.files.contains("best-swa.safetensors"))
        // Constant schedule, s = 1: epoch 0 at t = 0 keeps lr; from s on swa_lr (0.002).
        #expect(whole.epochs.map { $0[5]! } == [0.01, 0.002, 0.002, 0.002])
        let folder = session.runDirectory
        let swa = try Safetensors.read(folder.appendingPathComponent("swa.safetensors"))
        try Self.expectParameters(of: swa, averageEpochs: 2...4, in: session)
        let state = try CheckpointFiles.loadState(for: folder.appendingPathComponent("last.safetensors"))
        #expect(state.averages["swa"]?.contains { $0.0 == "n_averaged" && $0.1.item == 3 } == true)

        // Stopped after epoch 3 and resumed for the fourth: the same evaluations and average.
        let shorter = keys.map { $0.0 == "epoch_size" ? ($0.0, "3") : $0 }
        let (_, stopped) = try tiny.run(tiny.experiment(shorter))
        let (resumed, resumedSession) = try tiny.resume(stopped, epochs: 4)
        #expect(resumed.averaged == whole.averaged)
        #expect(resumed.weights == whole.weights)
        let resumedSWA = try Safetensors.read(resumedSession.runDirectory.appendingPathComponent("swa.safetensors"))
        #expect(resumedSWA.names.map { resumedSWA[$0]!.tensor().scalars } == swa.names.map { swa[$0]!.tensor().scalars })
    }

    /// keras-swa with batch norm (ResNet-18): epochs 2 and 3 are averaged, the fourth is the
    /// re-estimation epoch — the averaged weights in place, the rate 0 (constant schedule), so the
    /// run ends with exactly the average and with statistics re-estimated under it.
    @Test func swaWithBatchNormReestimatesTheStatisticsInItsLastEpoch() throws {
        let tiny = try TinyExperiment()
        let (observation, session) = try tiny.run(tiny.experiment([
            ("model", "resnet18"), ("model_kwargs", "{}"), ("swa", "True"), ("swa_start_epoch", "2"), ("epoch_size", "4"),
            ("swa_lr_schedule", "constant"), ("keep_checkpoint_max", "10")]))
        #expect(observation.epochs.map { $0[5]! } == [0.01, 0.001, 0.001, 0])
        let folder = session.runDirectory
        let last = try Safetensors.read(folder.appendingPathComponent("epoch-4.safetensors"))
        try Self.expectParameters(of: last, averageEpochs: 2...3, in: session)
        let before = try Safetensors.read(folder.appendingPathComponent("epoch-3.safetensors"))
        #expect(last["bn1.running_mean"]!.tensor().scalars != before["bn1.running_mean"]!.tensor().scalars)
        #expect(last["bn1.num_batches_tracked"]!.tensor().scalars == [Float(observation.trainBatches)])
        #expect(session.assembly.model.submodules(of: BatchNorm2d.self).allSatisfy { $0.momentum == 0.1 }, "momenta restored")
    }

    /// torch's SWA with batch norm (ResNet-18, `swa_lr_schedule: cos`): the run's schedule until
    /// epoch 2, then SWALR from the rate it reached to swa_lr over 2 epochs; epochs 2 to 4 averaged;
    /// after the last, update_bn re-estimates the averaged model's statistics in a forward pass —
    /// `swa.safetensors` holds the average with those statistics, the raw model keeps its own.
    @Test func torchSWAEstimatesTheAveragedStatisticsAfterTheLastEpoch() throws {
        let tiny = try TinyExperiment()
        let (observation, session) = try tiny.run(tiny.experiment([
            ("model", "resnet18"), ("model_kwargs", "{}"), ("swa", "True"), ("swa_start_epoch", "2"), ("epoch_size", "4"),
            ("swa_lr_schedule", "cos"), ("swa_anneal_epochs", "2"), ("swa_lr", "0.002"), ("scheduler", "constant"),
            ("keep_checkpoint_max", "10")]))
        // Epoch 2 trains at the rate reached (0.01), epoch 3 halfway down the cosine, epoch 4 at swa_lr.
        let rates = observation.epochs.map { $0[5]! }
        #expect(rates[0] == 0.01 && rates[1] == 0.01 && abs(rates[2] - 0.006) < 1e-12 && abs(rates[3] - 0.002) < 1e-12, "\(rates)")
        #expect(observation.averaged.map { $0[0] + " " + $0[1] } == ["2 swa", "3 swa", "4 swa"])
        let folder = session.runDirectory
        let swa = try Safetensors.read(folder.appendingPathComponent("swa.safetensors"))
        try Self.expectParameters(of: swa, averageEpochs: 2...4, in: session)
        let last = try Safetensors.read(folder.appendingPathComponent("epoch-4.safetensors"))
        #expect(swa["bn1.running_mean"]!.tensor().scalars != last["bn1.running_mean"]!.tensor().scalars)
        #expect(swa["bn1.num_batches_tracked"]!.tensor().scalars == [Float(observation.trainBatches)])
        #expect(last["bn1.num_batches_tracked"]!.tensor().scalars == [Float(4 * observation.trainBatches)])
        #expect(session.assembly.model.submodules(of: BatchNorm2d.self).allSatisfy { $0.momentum == 0.1 }, "momenta restored")
    }

    /// Gradient accumulation: two batches per update halve the updates of an epoch (the schedule
    /// and the step count follow), every batch still trains and is counted.
    @Test func gradientAccumulationGroupsBatchesIntoUpdates() throws {
        let tiny = try TinyExperiment()
        let (observation, session) = try tiny.run(tiny.experiment([("gradient_accumulation_steps", "2")]))
        #expect(session.assembly.updatesPerEpoch == observation.trainBatches / 2)
        #expect(session.assembly.schedule.stepsPerEpoch == observation.trainBatches / 2)
        let state = try CheckpointFiles.loadState(for: session.runDirectory.appendingPathComponent("last.safetensors"))
        #expect(state.globalStep == 2 * observation.trainBatches / 2)
    }

    /// Every parameter in `file` is the mean of its values in the run's `epoch-N` checkpoints for
    /// `epochs`, to float32 rounding.
    static func expectParameters(of file: Safetensors.File, averageEpochs epochs: ClosedRange<Int>,
                                 in session: TrainingSession) throws {
        let snapshots = try epochs.map {
            try Safetensors.read(session.runDirectory.appendingPathComponent("epoch-\($0).safetensors"))
        }
        for (name, _) in session.assembly.model.namedParameters() {
            let values = snapshots.map { $0[name]!.tensor().scalars }
            let mean = (0..<values[0].count).map { i in values.reduce(0) { $0 + $1[i] } / Float(values.count) }
            let worst = zip(mean, file[name]!.tensor().scalars).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
            #expect(worst < 1e-6, "\(name): \(worst)")
        }
    }

    /// `pretrained: FILE` starts from that file's weights.
    @Test func pretrainedLoadsTheFile() throws {
        let tiny = try TinyExperiment()
        let source = try TrainingAssembly(tiny.experiment([("seed", "3")]))
        let file = tiny.folder.appendingPathComponent("weights.safetensors")
        try CheckpointFiles.save(source.model, state: nil, to: file)
        let loaded = try TrainingAssembly(tiny.experiment([("pretrained", "'\(file.path)'")]))
        let fresh = try TrainingAssembly(tiny.experiment())
        func values(_ assembly: TrainingAssembly) -> [Float] {
            assembly.model.namedParameters().flatMap { Array(UnsafeBufferPointer(start: $0.tensor.data, count: $0.tensor.count)) }
        }
        #expect(values(loaded) == values(source))
        #expect(values(loaded) != values(fresh))
        #expect(throws: RecipeError.self) { try TrainingAssembly(tiny.experiment([("pretrained", "True")])) }
    }

    /// A run stopped after its first epoch and resumed gives the same second epoch as one that never stopped.
    @Test func resumeContinuesExactly() throws {
        let tiny = try TinyExperiment()
        let (whole, _) = try tiny.run(tiny.experiment([("ema", "True")]))
        let (_, stopped) = try tiny.run(tiny.experiment([("ema", "True"), ("epoch_size", "1")]))
        let (resumed, _) = try tiny.resume(stopped, epochs: 2)
        #expect(resumed.epochs == whole.epochs)
        #expect(resumed.averaged == whole.averaged)
        #expect(resumed.weights == whole.weights)
    }

    /// A save killed between the state and the weights leaves the pair being replaced resumable:
    /// the state kept beside them is the one written with the weights still in place.
    @Test func aSaveCutBetweenItsTwoFilesResumesFromThePreviousPair() throws {
        let tiny = try TinyExperiment()
        let (_, session) = try tiny.run(tiny.experiment([("epoch_size", "1")]))
        let last = session.runDirectory.appendingPathComponent("last.safetensors")
        let original = try CheckpointFiles.loadState(for: last)
        var newer = original
        newer.completedEpochs = 2
        let other = session.runDirectory.appendingPathComponent("other.safetensors")
        try CheckpointFiles.save(session.assembly.model, state: newer, to: other)
        let files = FileManager.default
        let state = CheckpointFiles.statePath(for: last), previous = CheckpointFiles.previousStatePath(for: last)
        // Killed after keeping the old state and writing the new one, before the new weights.
        try files.moveItem(at: state, to: previous)
        try files.copyItem(at: CheckpointFiles.statePath(for: other), to: state)
        #expect(try CheckpointFiles.loadState(for: last).completedEpochs == original.completedEpochs)
        // Killed after keeping the old state, before the new one was written.
        try files.removeItem(at: state)
        #expect(try CheckpointFiles.loadState(for: last).completedEpochs == original.completedEpochs)
        // A finished save replaces the kept state, and mismatched halves alone are refused.
        try CheckpointFiles.save(session.assembly.model, state: newer, to: last)
        #expect(!files.fileExists(atPath: previous.path))
        #expect(try CheckpointFiles.loadState(for: last).completedEpochs == 2)
        try files.removeItem(at: state)
        try files.copyItem(at: CheckpointFiles.statePath(for: other), to: state)
        #expect(throws: TrainingError.self) { try CheckpointFiles.loadState(for: last) }
    }

    /// The refusal names the file, line and key and says what to set instead.
    @Test func refusalsNameFileLineAndKey() throws {
        let tiny = try TinyExperiment()
        let experiment = try tiny.experiment([("layer_decay", "0.75")])
        #expect(throws: RecipeError.self) { try TrainingAssembly(experiment) }
        let message = String(describing: experiment.unsupportedSettings()!)
        #expect(message == "\(tiny.folder.path)/recipe.yaml:18:1: key 'layer_decay' value 0.75 cannot run here: layer-wise learning-rate decay is not implemented yet; set layer_decay: null (or leave it out) to train")
    }

    /// An evaluation crop the network cannot take is refused at its key before any training.
    @Test func anEvaluationCropTheNetworkCannotTakeIsRefused() throws {
        let tiny = try TinyExperiment()
        let experiment = try tiny.experiment([("val_crop_size", "16")])
        do {
            _ = try TrainingAssembly(experiment)
            Issue.record("val_crop_size 16 on an 8-pixel SwinV2 was not refused")
        } catch let error as RecipeError {
            #expect(String(describing: error) == "\(tiny.folder.path)/recipe.yaml:18:1: key 'val_crop_size': swinv2_tiny_window8_256 is built for 8-pixel inputs and cannot evaluate 16-pixel crops; leave val_crop_size out or set it to 8")
        }
    }

    /// Mixup, cutmix and repeated augmentation together train: every epoch recorded with a finite
    /// loss, the batch transform is ``MixupCutmix`` over the model's classes, and the epoch keeps
    /// its length. Without mixup or cutmix the transform is the identity.
    @Test func mixupCutmixAndRepeatedAugmentationTrain() throws {
        let tiny = try TinyExperiment()
        let experiment = try tiny.experiment([("mixup", "0.8"), ("cutmix", "1.0"), ("aug_repeats", "3"), ("label_smoothing", "0.1")])
        let (observation, session) = try tiny.run(experiment)
        #expect(observation.epochs.count == 2)
        #expect(observation.epochs.allSatisfy { $0[1].map(\.isFinite) == true && $0[2].map(\.isFinite) == true }, "\(observation.epochs)")
        let transform = try #require(session.assembly.batchTransform as? MixupCutmix)
        #expect(transform.mixupAlpha == 0.8 && transform.cutmixAlpha == 1.0 && transform.probability == 1)
        #expect(transform.classes == 10 && transform.labelSmoothing == 0.1)
        #expect(session.assembly.train.sampleCount == 64 && observation.trainBatches == 4)
        #expect(try TrainingAssembly(tiny.experiment()).batchTransform is IdentityBatchTransform)
    }
}
