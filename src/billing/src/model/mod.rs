//! Wire types of the billing family.

pub mod plans;
