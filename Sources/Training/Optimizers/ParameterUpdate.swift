/// What one fused update of one parameter needs: raw buffers and the step's scalars.
///
/// Built by ``Optimizer`` from pointers it keeps per parameter, so a step allocates nothing.
struct ParameterUpdate {
    /// The parameter's elements, updated in place.
    let parameter: UnsafeMutablePointer<Float>
    /// The gradient's elements (read only).
    let gradient: UnsafeMutablePointer<Float>
    /// The per-element state buffers, in the algorithm's `bufferNames` order.
    let buffers: [UnsafeMutablePointer<Float>]
    /// The per-parameter scalar state (NAdam's `mu_product`), updated in place.
    let scalars: UnsafeMutablePointer<Float>
    /// The number of elements.
    let count: Int
    /// This parameter's step number, counting from 1 for the first update.
    let step: Int
    /// The group's learning rate for this step.
    let learningRate: Double
    /// The group's weight decay.
    let weightDecay: Float
    /// What the gradient is divided by first (LAMB's global-norm clipping; 1 otherwise).
    let gradientDivisor: Float
}
