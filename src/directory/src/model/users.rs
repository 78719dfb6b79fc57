//! An organization's users (memberships) as the Identity face shows them.

use meshcloud_kernel::time::Timestamp;
use poem_openapi::{Enum, Object};

use super::{ReadMetadata, WriteMetadata};

/// `userState`: the membership's standing; only `active` grants anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum UserState {
    Active,
    Pending,
    Suspended,
}

impl UserState {
    /// The core's membership state.
    pub fn core(self) -> meshcloud_identity::core::orgs::MemberState {
        use meshcloud_identity::core::orgs::MemberState;
        match self {
            Self::Active => MemberState::Active,
            Self::Pending => MemberState::Pending,
            Self::Suspended => MemberState::Suspended,
        }
    }

    pub fn as_db(self) -> &'static str {
        self.core().as_db()
    }

    pub fn from_db(s: &str) -> Self {
        match s {
            "pending" => Self::Pending,
            "suspended" => Self::Suspended,
            _ => Self::Active,
        }
    }
}

/// `userSpec`.
#[derive(Debug, Clone, Object)]
pub struct UserSpec {
    /// The user's e-mail address.
    pub subject: String,
    pub state: UserState,
    #[oai(rename = "groupIDs")]
    pub group_ids: Vec<String>,
}

/// `userStatus`.
#[derive(Debug, Clone, Object)]
pub struct UserStatus {
    #[oai(rename = "lastActive", skip_serializing_if_is_none)]
    pub last_active: Option<Timestamp>,
}

/// `userRead`.
#[derive(Debug, Clone, Object)]
pub struct UserRead {
    pub metadata: ReadMetadata,
    pub spec: UserSpec,
    pub status: UserStatus,
}

/// `userWrite`: metadata is optional and not stored (a user is named by its subject).
#[derive(Debug, Clone, Object)]
pub struct UserWrite {
    pub metadata: Option<WriteMetadata>,
    pub spec: UserSpec,
}

impl UserRead {
    pub fn render(u: crate::store::users::OrgUserRow, org: uuid::Uuid, group_ids: Vec<String>) -> Self {
        // A user is named by its subject; metadata.name shows its label form.
        let metadata = super::orgs::settled_metadata(
            u.email.clone(),
            String::new(),
            "[]",
            u.uuid,
            u.joined_at,
            None,
            u.updated_at,
            Some(org),
        );
        UserRead {
            metadata,
            spec: UserSpec { subject: u.email, state: UserState::from_db(&u.state), group_ids },
            status: UserStatus { last_active: u.last_login },
        }
    }
}
