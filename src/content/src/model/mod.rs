//! The shapes this family stores and answers, following `@meshery/schemas`
//! (v1beta1 pattern, component and relationship documents).

pub mod design;

pub use design::{Component, ComponentKind, Design, Relationship};
pub mod catalog;
pub mod filter;
pub mod pattern;
pub mod resource;
pub mod view;
