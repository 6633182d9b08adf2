//! The shopper's local profile file (work in progress).
