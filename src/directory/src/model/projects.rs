//! Wire types of projects and their allocations.

use poem_openapi::Object;

use super::{ReadMetadata, WriteMetadata};

/// `projectSpec`.
#[derive(Debug, Clone, Object)]
pub struct ProjectSpec {
    /// Groups whose roles' project scopes apply in this project.
    #[oai(rename = "groupIDs")]
    pub group_ids: Vec<String>,
}

/// `projectWrite`.
#[derive(Debug, Clone, Object)]
pub struct ProjectWrite {
    pub metadata: WriteMetadata,
    pub spec: ProjectSpec,
}

/// `projectRead`.
#[derive(Debug, Clone, Object)]
pub struct ProjectRead {
    pub metadata: ReadMetadata,
    pub spec: ProjectSpec,
}

/// `resourceAllocation`: one kind's share of an allocation.
#[derive(Debug, Clone, Object)]
pub struct ResourceAllocation {
    pub kind: String,
    /// Always in use.
    pub committed: i64,
    /// May be used (autoscaling, say).
    pub reserved: i64,
}

/// `allocationSpec`.
#[derive(Debug, Clone, Object)]
pub struct AllocationSpec {
    /// The kind of resource that owns the allocation.
    pub kind: String,
    /// The id of the resource that owns the allocation.
    pub id: String,
    pub allocations: Vec<ResourceAllocation>,
}

/// `allocationWrite`.
#[derive(Debug, Clone, Object)]
pub struct AllocationWrite {
    pub metadata: WriteMetadata,
    pub spec: AllocationSpec,
}

/// `allocationRead`.
#[derive(Debug, Clone, Object)]
pub struct AllocationRead {
    pub metadata: ReadMetadata,
    pub spec: AllocationSpec,
}
