"""Decision: value functions, weights, constraints, aggregation, sensitivity, comparison."""
