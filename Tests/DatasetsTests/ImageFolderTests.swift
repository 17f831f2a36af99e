import Foundation
import Testing
@testable import Datasets

/// Finding an image folder's classes and files as torchvision's `ImageFolder` does.
@Suite struct ImageFolderTests {
    @Test func classesAndFilesInTorchvisionsOrder() throws {
        let folder = try TestFolder("imagefolder")
        defer { folder.remove() }
        for relative in ["split/b/2.jpg", "split/b/10.JPG", "split/B/x.png", "split/a/z.JpEg", "split/a/sub/a.jpg",
                         "split/a/sub-x/c.webp", "split/a/y.txt", "split/a/sub/deeper/d.PNG", "split/a/.hidden.jpg",
                         "split/notes.jpg", "split/a/archive.jpg.zip"] {
            try folder.write(Data([1]), at: relative)
        }
        let index = try ImageFolder(directory: folder.path + "/split/")
        // Code-point order: upper case first; the file at the top is no class.
        #expect(index.classNames == ["B", "a", "b"])
        // sorted(os.walk(…)): "a" < "a/sub" < "a/sub-x" < "a/sub/deeper" ('-' sorts before '/').
        let expected = ["B/x.png", "a/.hidden.jpg", "a/z.JpEg", "a/sub/a.jpg", "a/sub-x/c.webp", "a/sub/deeper/d.PNG",
                        "b/10.JPG", "b/2.jpg"]
        #expect((0..<index.count).map { index.path($0) } == expected.map { folder.path + "/split/" + $0 })
        #expect(index.labels == [0, 1, 1, 1, 1, 1, 2, 2])
    }

    @Test func extensionsAreTorchvisionsIgnoringCase() {
        for name in ["a.jpg", "a.JPEG", "a.Png", "a.ppm", "a.bmp", "a.pgm", "a.tif", "a.TIFF", "a.webp"] {
            #expect(ImageFolder.hasImageExtension(name), "\(name)")
        }
        for name in ["a.gif", "a.txt", "jpg", "a.jpg.bak", "a.heic"] { #expect(!ImageFolder.hasImageExtension(name), "\(name)") }
    }

    @Test func aMissingSplitIsAnErrorNamingThePath() throws {
        let folder = try TestFolder("imagefolder")
        defer { folder.remove() }
        let error = #expect(throws: ImageFolder.DiscoveryError.self) { try ImageFolder(directory: folder.path + "/val") }
        #expect(error?.description.hasPrefix(folder.path + "/val: no such folder") == true, "\(String(describing: error))")
    }

    @Test func aSplitWithoutClassFoldersIsAnError() throws {
        let folder = try TestFolder("imagefolder")
        defer { folder.remove() }
        try folder.write(Data([1]), at: "train/loose.jpg")
        let error = #expect(throws: ImageFolder.DiscoveryError.self) { try ImageFolder(directory: folder.path + "/train") }
        #expect(error?.description.contains("\(folder.path)/train: holds no class folders") == true)
    }

    @Test func aClassFolderWithoutImagesIsAnErrorNamingIt() throws {
        let folder = try TestFolder("imagefolder")
        defer { folder.remove() }
        try folder.write(Data([1]), at: "train/cat/a.jpg")
        try folder.write(Data([1]), at: "train/dog/readme.txt")
        try folder.makeFolder("train/emu")
        let error = #expect(throws: ImageFolder.DiscoveryError.self) { try ImageFolder(directory: folder.path + "/train") }
        let text = error?.description ?? ""
        #expect(text.contains("\(folder.path)/train/dog") && text.contains("\(folder.path)/train/emu") && text.contains("no images"), "\(text)")
        #expect(!text.contains("train/cat"))
    }
}
