//! The API7 Cloud face (the gateway family).

mod certificates;
mod consumers;
