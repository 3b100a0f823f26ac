"""Pure analysis passes over the IR: shapes, costs and cross-node checks. No TensorFlow."""
