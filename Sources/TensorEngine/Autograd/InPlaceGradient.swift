extension Tensor {
    /// Adds a gradient that touches only part of this tensor (a slice, a split piece, gathered
    /// rows, arg-max positions) straight into ``grad``, creating it as zeros first if needed.
    ///
    /// `addInto` receives the first element of the gradient buffer (this tensor's shape,
    /// contiguous) and must only add to it. Ops whose gradient is sparse in their input use this
    /// instead of building a full-size zero tensor per use and summing those.
    func accumulateGradInPlace(_ addInto: (UnsafeMutablePointer<Float>) -> Void) {
        gradientSlot.accumulateGradInPlace(addInto)
    }
}
