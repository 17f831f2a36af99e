import TensorEngine

/// Gradient clipping as `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_`.
///
/// MindCV's `clip_grad: True` with `clip_value: 15` clips by global norm (its `clip_by_global_norm`);
/// torchvision's `--clip-grad-norm 5` likewise.
public enum GradientClipping {
    /// The 2-norm of all `gradients` taken together: `√(Σ‖gᵢ‖²)`.
    public static func globalNorm(_ gradients: [Tensor]) -> Double {
        var total = 0.0
        for gradient in gradients { total += sumOfSquares(gradient.data, count: gradient.count) }
        return total.squareRoot()
    }

    /// Scales the gradients of `parameters` so that their global norm is at most `maxNorm`, and
    /// returns the norm before clipping (∞-norm when `normType` is `.infinity`).
    ///
    /// As PyTorch: the scale is `min(maxNorm / (norm + 1e-6), 1)` and is applied even when it is 1
    /// (a no-op); parameters without a gradient are ignored. One deliberate difference: with a
    /// non-finite norm PyTorch (by default) still multiplies the gradients, turning them into NaN;
    /// here they are left as they are and the norm is returned so the caller can skip the step.
    @discardableResult
    public static func clipByGlobalNorm(_ parameters: [(name: String, tensor: Tensor)], maxNorm: Double,
                                        normType: Double = 2) -> Double {
        let gradients = parameters.compactMap { $0.tensor.grad }
        guard !gradients.isEmpty else { return 0 }
        let norm: Double
        if normType == .infinity {
            norm = gradients.map { Double(largestMagnitude($0.data, count: $0.count)) }.max() ?? 0
        } else {
            precondition(normType == 2, "clipByGlobalNorm: only the 2-norm and the ∞-norm are supported")
            norm = globalNorm(gradients)
        }
        guard norm.isFinite else { return norm }
        let coefficient = Float(min(maxNorm / (norm + 1e-6), 1))
        for gradient in gradients where coefficient != 1 {
            let g = gradient.data
            fusedPass(gradient.count) { i, n in lanesStore(lanesLoad(g, i, n) * coefficient, g, i, n) }
        }
        return norm
    }

    /// Clamps every gradient element of `parameters` into `[-clipValue, clipValue]`
    /// (`clip_grad_value_`).
    public static func clipByValue(_ parameters: [(name: String, tensor: Tensor)], clipValue: Float) {
        precondition(clipValue >= 0, "clipByValue: the clip value must not be negative")
        let low = SIMD8<Float>(repeating: -clipValue), high = SIMD8<Float>(repeating: clipValue)
        for gradient in parameters.compactMap({ $0.tensor.grad }) {
            let g = gradient.data
            fusedPass(gradient.count) { i, n in lanesStore(lanesLoad(g, i, n).clamped(lowerBound: low, upperBound: high), g, i, n) }
        }
    }
}
