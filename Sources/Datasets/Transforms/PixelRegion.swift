/// A rectangle of whole pixels of an image: rows `top ..< top + height`, columns
/// `left ..< left + width` — torchvision's crop parameters `(i, j, h, w)`. It may reach past the
/// image (a centre crop larger than the image), where transforms read zeros as PIL's `crop` pads.
public struct PixelRegion: Sendable, Equatable, CustomStringConvertible {
    public var top: Int, left: Int, height: Int, width: Int

    public init(top: Int, left: Int, height: Int, width: Int) {
        self.top = top
        self.left = left
        self.height = height
        self.width = width
    }

    /// The whole of an image of this size.
    public init(height: Int, width: Int) { self.init(top: 0, left: 0, height: height, width: width) }

    public var bottom: Int { top + height }
    public var right: Int { left + width }

    /// The part inside `0 ..< height` × `0 ..< width` (empty, with zero size, when none is).
    func clipped(height h: Int, width w: Int) -> PixelRegion {
        let t = min(max(top, 0), h), l = min(max(left, 0), w)
        return PixelRegion(top: t, left: l, height: max(0, min(bottom, h) - t), width: max(0, min(right, w) - l))
    }

    public var description: String { "(top \(top), left \(left), \(height)×\(width))" }
}

/// PIL's `box` argument of `Image.resize`: the source rectangle, in source pixel units and not
/// necessarily whole, that the output covers. Pillow keeps it as C floats; so does this.
public struct SourceBox: Sendable, Equatable {
    public var left: Float, top: Float, right: Float, bottom: Float

    public init(left: Float, top: Float, right: Float, bottom: Float) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }

    /// The whole of a region of this size.
    public init(height: Int, width: Int) { self.init(left: 0, top: 0, right: Float(width), bottom: Float(height)) }
}
