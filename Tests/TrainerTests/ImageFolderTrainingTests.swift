import Foundation
import Testing
import Datasets
import Recipes
import Trainer

/// Training on image folders: loader threads, unreadable files, and the note an in-memory set
/// gives for `num_parallel_workers`.
@Suite struct ImageFolderTrainingTests {
    /// A truncated JPEG, an empty file and a text file named `.jpg` among the training images:
    /// the run trains on, and its record names the three.
    @Test func unreadableFilesAreSkippedAndRecordedWithTheRun() throws {
        let tiny = try TinyExperiment()
        let classFolder = tiny.folder.appendingPathComponent("images/train/class1")
        let good = try Data(contentsOf: classFolder.appendingPathComponent("image1.jpg"))
        try good.prefix(good.count / 2).write(to: classFolder.appendingPathComponent("cut.jpg"))
        try Data().write(to: classFolder.appendingPathComponent("empty.jpg"))
        try Data("hello\n".utf8).write(to: classFolder.appendingPathComponent("readme.jpg"))
        // 27 files in batches of 9: every file is read each epoch.
        let (observation, _) = try tiny.run(tiny.experiment(tiny.imageFolderKeys + [("batch_size", "9"), ("drop_remainder", "False")]))
        #expect(observation.epochs.count == 2)
        #expect(observation.epochs.allSatisfy { ($0[1] ?? .nan).isFinite && $0[3] != nil })
        #expect(observation.trainBatches == 3)
        let notes = observation.notes ?? ""
        #expect(notes.contains("3 unreadable files skipped in training"), "\(notes)")
        for name in ["cut.jpg", "empty.jpg", "readme.jpg"] { #expect(notes.contains("class1/\(name): "), "\(name)") }
        #expect(observation.classNames == ["class0", "class1", "class2"])
    }

    @Test func loaderThreadsComeWithImageFoldersAndInMemorySetsSaySoWhenSet() throws {
        let tiny = try TinyExperiment()
        let inMemory = try TrainingAssembly(tiny.experiment([("num_parallel_workers", "2")]))
        #expect(inMemory.train.loaderThreads == 0)
        #expect(inMemory.notes.contains { $0.hasPrefix("num_parallel_workers has no effect: dataset 'fashion_mnist' is held in memory") },
                "\(inMemory.notes)")
        #expect(try TrainingAssembly(tiny.experiment()).notes.allSatisfy { !$0.contains("num_parallel_workers") },
                "the default says nothing")
        let folder = try TrainingAssembly(tiny.experiment(tiny.imageFolderKeys + [("num_parallel_workers", "2")]))
        #expect(folder.train.loaderThreads == 2 && folder.validation?.loaderThreads == 2)
        #expect(folder.notes.allSatisfy { !$0.contains("num_parallel_workers") })
    }

    @Test func aMissingSplitFolderIsAnErrorNamingIt() throws {
        let tiny = try TinyExperiment()
        #expect {
            try TrainingAssembly(tiny.experiment(tiny.imageFolderKeys + [("val_split", "holdout")]))
        } throws: { error in
            String(describing: error).hasPrefix("\(tiny.folder.path)/images/holdout: no such folder")
        }
    }

    /// MindCV's seed-recipe augmentations on an image folder: RandAugment, bicubic crops,
    /// per-pixel random erasing; the run trains, and a policy string that does not parse is
    /// refused before any work at its line.
    @Test func theRecipesAugmentationsTrainAndABadPolicyIsRefusedAtItsLine() throws {
        let tiny = try TinyExperiment()
        let augmentations = [("auto_augment", "'randaug-m9-mstd0.5-inc1'"), ("interpolation", "bicubic"),
                             ("re_prob", "0.25"), ("re_value", "'random'"), ("in_channels", "3"), ("mean", "[124.0, 116.0, 104.0]"),
                             ("std", "[58.0, 57.0, 57.0]")]
        let (observation, _) = try tiny.run(tiny.experiment(tiny.imageFolderKeys + augmentations))
        #expect(observation.epochs.count == 2 && observation.epochs.allSatisfy { ($0[1] ?? .nan).isFinite })
        let experiment = try tiny.experiment(tiny.imageFolderKeys + [("auto_augment", "'rand-m9-x7'")])
        #expect {
            try TrainingAssembly(experiment)
        } throws: { error in
            let text = String(describing: error)
            return text.hasPrefix("\(tiny.folder.path)/recipe.yaml:") && text.contains("auto_augment") && text.contains("'x7'")
        }
    }
}
