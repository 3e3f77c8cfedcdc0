//! Build-time errors. Solving never returns one of these: its outcome is a
//! [`crate::Status`].

use std::fmt;

/// Something wrong with what was put into a [`crate::Model`], or a failure to
/// write it out. Every variant names the variable or row concerned.
#[derive(Debug)]
pub enum LpError {
    /// A bound pair that no value can satisfy, or a NaN/infinite bound on the
    /// wrong side (lower = +inf, upper = -inf).
    InvalidBounds {
        what: String,
        lower: f64,
        upper: f64,
    },
    /// A NaN or infinite coefficient (matrix entry, objective, offset).
    InvalidCoefficient { what: String, value: f64 },
    /// A `Var` that was made by another model, or an index past this model's.
    ForeignVar { what: String },
    /// A `Row` that was made by another model, or an index past this model's.
    ForeignRow { what: String },
    /// A name that MPS cannot carry (empty, whitespace, non-ASCII, or `$`/`*` first).
    InvalidName { what: String, name: String },
    /// Two variables or two rows with the same name (MPS needs them unique).
    DuplicateName { name: String },
    /// More variables, rows or nonzeros than the index type holds.
    TooLarge { what: String },
    /// Writing a file failed.
    Io(std::io::Error),
}

impl fmt::Display for LpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LpError::InvalidBounds { what, lower, upper } => {
                write!(f, "{what}: invalid bounds [{lower}, {upper}]")
            }
            LpError::InvalidCoefficient { what, value } => {
                write!(f, "{what}: coefficient {value} is not finite")
            }
            LpError::ForeignVar { what } => {
                write!(f, "{what}: variable does not belong to this model")
            }
            LpError::ForeignRow { what } => write!(f, "{what}: row does not belong to this model"),
            LpError::InvalidName { what, name } => {
                write!(f, "{what}: name {name:?} cannot be written to MPS")
            }
            LpError::DuplicateName { name } => write!(f, "name {name:?} is used twice"),
            LpError::TooLarge { what } => write!(f, "model too large: {what}"),
            LpError::Io(e) => write!(f, "writing MPS: {e}"),
        }
    }
}

impl std::error::Error for LpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LpError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for LpError {
    fn from(e: std::io::Error) -> Self {
        LpError::Io(e)
    }
}

pub type Result<T, E = LpError> = std::result::Result<T, E>;
