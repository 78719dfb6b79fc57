//! Workspaces and their links. A workspace is deleted in one place
//! (`delete`: a soft delete that drops its links) whichever face asks.

pub use crate::store::workspaces::{
    LinkKind, WorkspaceRow, by_uuid, delete, get, insert, link, targets, unlink, update,
};
