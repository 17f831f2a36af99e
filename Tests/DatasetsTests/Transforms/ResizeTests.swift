import Testing
@testable import Datasets

/// Pillow's `Image.resize` (and torchvision's `resized_crop`) in every filter, up and down, with
/// and without a box: the bytes must be Pillow's exactly.
@Suite struct ResizeTests {
    @Test(arguments: TransformFixtures.cases.resize.indices)
    func resizeIsPillows(_ index: Int) throws {
        let c = TransformFixtures.cases.resize[index]
        let source = try TransformFixtures.image(c.source)
        let filter = try #require(ResampleFilter(rawValue: c.filter))
        let box = c.box.map { SourceBox(left: $0[0], top: $0[1], right: $0[2], bottom: $0[3]) }
        let out = source.resized(width: c.width, height: c.height, filter: filter, box: box)
        let expected = try TransformFixtures.image(c.expected)
        #expect(TransformFixtures.worst(out, expected) == 0, "\(c.expected)")
    }

    @Test(arguments: TransformFixtures.cases.resizedCrop.indices)
    func resizedCropIsTorchvisions(_ index: Int) throws {
        let c = TransformFixtures.cases.resizedCrop[index]
        let source = try TransformFixtures.image("photo")
        let out = source.resized(width: c.size, height: c.size, filter: try #require(ResampleFilter(rawValue: c.filter)),
                                 region: PixelRegion(top: c.top, left: c.left, height: c.height, width: c.width))
        #expect(TransformFixtures.worst(out, try TransformFixtures.image(c.expected)) == 0, "\(c.expected)")
    }

    /// Any rectangle of the output, computed alone, is that rectangle of the whole output; past
    /// the output it is zeros.
    @Test(arguments: ResampleFilter.allCases)
    func partsAreCropsOfTheWhole(_ filter: ResampleFilter) throws {
        let source = try TransformFixtures.image("photo")
        let whole = source.resized(width: 37, height: 29, filter: filter)
        let part = PixelRegion(top: 5, left: -3, height: 30, width: 20)
        let computed = source.resized(width: 37, height: 29, filter: filter, part: part)
        #expect(TransformFixtures.worst(computed, whole.cropped(part)) == 0)
    }

    /// A region reaching past the image reads zeros there, as PIL's crop pads before resizing.
    @Test func regionsPastTheImageReadZeros() throws {
        let source = try TransformFixtures.image("photo")
        let region = PixelRegion(top: -4, left: 50, height: 20, width: 30)
        let out = source.resized(width: 12, height: 9, filter: .bicubic, region: region)
        #expect(TransformFixtures.worst(out, source.cropped(region).resized(width: 12, height: 9, filter: .bicubic)) == 0)
    }

    @Test func recipeNames() {
        #expect(ResampleFilter(recipeName: "area") == .box)
        #expect(ResampleFilter(recipeName: "bicubic") == .bicubic)
        #expect(ResampleFilter(recipeName: "cubic") == nil)
        #expect(InterpolationChoice(recipeName: "random") == .random)
        #expect(InterpolationChoice.random.draw { 0.49 } == .bilinear)
        #expect(InterpolationChoice.random.draw { 0.5 } == .bicubic)
    }
}
