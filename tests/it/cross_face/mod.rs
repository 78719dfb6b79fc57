//! Rules every face shares: the core rules driven through both the Layer5
//! face and the Identity API, and how bad input is refused on each.

mod api7;
mod core_rules;
mod errors;
