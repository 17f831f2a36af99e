/// The rectangle of every image that cutmix replaces with its partner's pixels: rows
/// `top..<bottom` and columns `left..<right` of an image of `height` × `width` (possibly empty).
public struct CutmixBox: Sendable, Equatable {
    public let top: Int
    public let bottom: Int
    public let left: Int
    public let right: Int
    public let height: Int
    public let width: Int

    /// timm's `rand_bbox` (timm 1.0.31) for a drawn λ and centre: each side is cut to
    /// ⌊side·√(1 − λ)⌋ pixels, ⌊cut/2⌋ of them before the centre (`centerY` in `0..<height`,
    /// `centerX` in `0..<width`) and ⌈cut/2⌉ from it on, and the box is clipped to the image, so a
    /// box near an edge is smaller than the λ it came from (``keptFraction`` is the corrected λ).
    /// MindCV's copy of the function (from an older timm) takes ⌊cut/2⌋ on both sides, a box one
    /// pixel shorter for an odd cut; either way the targets follow the pixels pasted.
    public init(height: Int, width: Int, lambda: Double, centerY: Int, centerX: Int) {
        let ratio = (1 - lambda).squareRoot()
        let cutHeight = Int(Double(height) * ratio), cutWidth = Int(Double(width) * ratio)
        self.height = height
        self.width = width
        top = min(max(centerY - cutHeight / 2, 0), height)
        bottom = min(max(centerY + (cutHeight + 1) / 2, 0), height)
        left = min(max(centerX - cutWidth / 2, 0), width)
        right = min(max(centerX + (cutWidth + 1) / 2, 0), width)
    }

    /// Pixels inside the box.
    public var area: Int { (bottom - top) * (right - left) }

    /// The fraction of each image that keeps its own pixels, 1 − area / (height·width): timm's
    /// `correct_lam`, the weight of the image's own label in its target.
    public var keptFraction: Double { 1 - Double(area) / Double(height * width) }
}
