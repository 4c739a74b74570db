"""Running many simulations: the one door into the model (worker), executors, the durable store, the runner."""

__all__ = ["executors", "runner", "store", "worker"]
