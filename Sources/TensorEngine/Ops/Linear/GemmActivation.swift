#if arch(x86_64)
import TensorEngineAVX512
#endif

extension Gemm {
    /// What a product applies to each result as it stores it, so that a transformer MLP's
    /// activation (forward) and the activation's gradient (backward) cost no pass over memory of
    /// their own where the register-blocked kernel runs the product (elsewhere: one vectorised pass
    /// over `C` afterwards, same arithmetic). Pointers address the same element as `C`'s: same
    /// layout, row stride `ldc`.
    public enum Activation {
        /// The results as they are.
        case identity
        /// `C = gelu(z)` (exact GELU) for each result `z`, which is also kept in `preActivation`
        /// when given (training needs it for the backward pass).
        case gelu(preActivation: UnsafeMutablePointer<Float>?)
        /// `C = z · GELU′(x)` for each result `z`, `x` read from `preActivation`: GELU's input
        /// gradient, from the product that computes its output gradient.
        case geluDerivative(preActivation: UnsafePointer<Float>)

        var isIdentity: Bool {
            if case .identity = self { return true }
            return false
        }

        /// The same activation for a block of `C` starting `offset` floats further on.
        func advanced(by offset: Int) -> Activation {
            switch self {
            case .identity: .identity
            case .gelu(let pre): .gelu(preActivation: pre.map { $0 + offset })
            case .geluDerivative(let pre): .geluDerivative(preActivation: pre + offset)
            }
        }

        #if arch(x86_64)
        /// The AVX-512 kernel's spelling of the same activation.
        var storeActivation: SmallGemmAVX512.StoreActivation {
            switch self {
            case .identity: .identity
            case .gelu(let pre): .gelu(preActivation: pre)
            case .geluDerivative(let pre): .geluDerivative(preActivation: pre)
            }
        }
        #endif

        /// Applies the activation to `C` (`[m, n]`, row stride `ldc`) in one pass, in parallel.
        func apply(to c: UnsafeMutablePointer<Float>, m: Int, n: Int, ldc: Int) {
            if isIdentity || m == 0 || n == 0 { return }
            #if arch(x86_64)
            if ProcessorFeatures.hasAVX512 {
                let activation = storeActivation
                parallelFor(m, grain: max(1, vectorGrain / n)) { rows in
                    SmallGemmAVX512.apply(activation, c: c, ldc: ldc, row: rows.lowerBound, column: 0,
                                          rows: rows.count, columns: n)
                }
                return
            }
            #endif
            parallelFor(m, grain: max(1, vectorGrain / n)) { rows in
                for r in rows {
                    let row = c + r * ldc
                    switch self {
                    case .identity:
                        break
                    case .gelu(let pre):
                        let kept = pre.map { $0 + r * ldc }
                        var j = 0
                        while j + 8 <= n {
                            let z = loadVector(row + j)
                            if let kept { storeVector(z, kept + j) }
                            storeVector(VectorMath.gelu(z), row + j)
                            j += 8
                        }
                        if j < n {
                            let z = loadPartialVector(row + j, count: n - j, padding: 0)
                            if let kept { storePartialVector(z, kept + j, count: n - j) }
                            storePartialVector(VectorMath.gelu(z), row + j, count: n - j)
                        }
                    case .geluDerivative(let pre):
                        let input = pre + r * ldc
                        var j = 0
                        while j + 8 <= n {
                            storeVector(geluGradient(loadVector(input + j), loadVector(row + j)), row + j)
                            j += 8
                        }
                        if j < n {
                            let value = geluGradient(loadPartialVector(input + j, count: n - j, padding: 0),
                                                     loadPartialVector(row + j, count: n - j, padding: 0))
                            storePartialVector(value, row + j, count: n - j)
                        }
                    }
                }
            }
        }
    }
}
