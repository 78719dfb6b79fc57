//! What other families call of the ops family; its `store` stays private.

/// Events about one row, for the lists other faces show of it.
pub mod events {
    pub use crate::store::events::{ABOUT_ORDER_FIELDS as ORDER_FIELDS, EventRow, about};
}

/// The mail outbox: a change that sends mail queues it inside its own write
/// transaction; the delivery job takes it from here.
pub mod outbox {
    pub use crate::store::outbox::{Mail, Pending, delivered, drop_expired, due, enqueue, failed};
}
