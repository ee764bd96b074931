//! Interchange formats: export and import, one module per format, all through the model.
