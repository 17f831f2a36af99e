/// One image's resize, decided before its pixels are read: which source pixels, which box of
/// them, the output size, which part of the output to keep, and the filter. Training and
/// evaluation geometry produce one from an image's dimensions alone, so a decoder can read only
/// what it needs (``ReducedScaleJPEG``) and hand back the plan restated for what it decoded.
public struct ResizePlan: Sendable, Equatable {
    /// The source pixels the filter may read; it clamps at their edges (a crop made first).
    public var region: PixelRegion
    /// The rectangle of `region` the output covers, in `region`'s coordinates.
    public var box: SourceBox
    /// The size of the whole resized image.
    public var width: Int, height: Int
    /// The part of the resized image kept (`height × width` at the origin for a plain resize).
    public var part: PixelRegion
    public var filter: ResampleFilter

    public init(region: PixelRegion, box: SourceBox? = nil, width: Int, height: Int, part: PixelRegion? = nil,
                filter: ResampleFilter) {
        self.region = region
        self.box = box ?? SourceBox(height: region.height, width: region.width)
        self.width = width
        self.height = height
        self.part = part ?? PixelRegion(height: height, width: width)
        self.filter = filter
    }

    /// The plan carried out on `image`: `[part.height, part.width, channels]` bytes.
    public func apply(to image: DecodedImage) -> DecodedImage {
        image.resized(width: width, height: height, filter: filter, region: region, box: box, part: part)
    }

    /// The source rectangle whose pixels end up in `part`, in source coordinates: how much of
    /// the source the kept output shows, for choosing a decoding scale.
    var sourceExtent: (height: Double, width: Double) {
        let clippedPart = part.clipped(height: height, width: width)
        return (Double(box.bottom - box.top) * Double(clippedPart.height) / Double(height),
                Double(box.right - box.left) * Double(clippedPart.width) / Double(width))
    }
}

extension ResizePlan {
    /// The rows and columns of `region`, in its coordinates, that carrying out the plan may read
    /// (a superset: a filter's outermost taps can weigh zero). A decoder that fills only these
    /// gives the same result as one that fills the whole region.
    var readRows: Range<Int> {
        Self.read(inSize: region.height, in0: box.top, in1: box.bottom, outSize: height,
                  outputs: part.clipped(height: height, width: width).top..<part.clipped(height: height, width: width).bottom,
                  filter: filter)
    }

    var readColumns: Range<Int> {
        Self.read(inSize: region.width, in0: box.left, in1: box.right, outSize: width,
                  outputs: part.clipped(height: height, width: width).left..<part.clipped(height: height, width: width).right,
                  filter: filter)
    }

    private static func read(inSize: Int, in0: Float, in1: Float, outSize: Int, outputs: Range<Int>,
                             filter: ResampleFilter) -> Range<Int> {
        guard !outputs.isEmpty else { return 0..<0 }
        if filter == .nearest {
            let used = NearestResample.positions(inSize: inSize, in0: in0, in1: in1, outSize: outSize)[outputs].filter { $0 >= 0 }
            guard let low = used.min(), let high = used.max() else { return 0..<0 }
            return low..<(high + 1)
        }
        let axis = PillowResample.Axis(inSize: inSize, in0: in0, in1: in1, outSize: outSize, outputs: outputs, filter: filter)
        return axis.starts[0]..<(axis.starts[axis.starts.count - 1] + axis.counts[axis.counts.count - 1])
    }
}

extension ResizePlan {
    /// The plan restated in the coordinates of `view`, a decoded part of the source that covers
    /// the pixels the plan reads. At full scale only the region moves, and the result equals the
    /// plan carried out on the whole source. At a reduced scale the region becomes the whole view
    /// and the box the crop's rectangle on it: the same part of the picture, resampled from fewer
    /// pixels (the filter then clamps at the view's edges rather than the crop's).
    func restated(for view: ImageView) -> ResizePlan {
        var plan = self
        if view.scale == 1 {
            plan.region.top -= Int(view.top)
            plan.region.left -= Int(view.left)
            return plan
        }
        // The box may reach past the view (an evaluation plan's box is the whole source): the
        // filter's taps are clamped to the view, which holds every pixel the kept part reads.
        func onView(_ sourceEdge: Double, origin: Double) -> Float { Float((sourceEdge - origin) / view.scale) }
        plan.region = PixelRegion(height: view.height, width: view.width)
        plan.box = SourceBox(left: onView(Double(region.left) + Double(box.left), origin: view.left),
                             top: onView(Double(region.top) + Double(box.top), origin: view.top),
                             right: onView(Double(region.left) + Double(box.right), origin: view.left),
                             bottom: onView(Double(region.top) + Double(box.bottom), origin: view.top))
        return plan
    }

    /// Carries out the plan, restated for `view`, on the view's pixels.
    func run(on view: ImageView, into out: UnsafeMutablePointer<UInt8>) {
        let plan = restated(for: view)
        let origin = view.pixels + plan.region.top * view.rowStride + plan.region.left * view.channels
        plan.run(regionOrigin: origin, stride: view.rowStride, channels: view.channels, into: out)
    }
}
