//! Wire shapes of the API7 Cloud face (field names exactly the reference's).

pub mod control_planes;
pub mod apis;
pub mod applications;
pub mod certificates;
pub mod consumers;
