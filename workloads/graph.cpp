// Placeholder: replaced by the IR implementation.
