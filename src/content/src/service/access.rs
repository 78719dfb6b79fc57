//! Who may do what with a design, view or filter: the one check every
//! operation on them goes through, so that organization keys, visibility and
//! shares are weighed the same way everywhere.
//!
//! - See: a `published` item, everyone signed in; a `public` one, members of
//!   its organization holding the kind's read key; a `private` one, its owner
//!   and holders of the kind's update key; and anyone it is shared with
//!   (directly, through a team they belong to, or through an organization
//!   they are a member of). Anyone else gets "not found".
//! - Edit: holders of the kind's update key in the item's organization, and
//!   those it is shared with for `edit`.
//! - Delete: holders of the kind's delete key only (a share never deletes).
//! - Share: its owner, and holders of the kind's share key.

use meshcloud_identity::core::teams;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::UserId;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use crate::store::shares;

/// The kinds of item that can be shared and checked here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Design,
    View,
    Filter,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Design => "design",
            Kind::View => "view",
            Kind::Filter => "filter",
        }
    }

    /// A resource type as clients spell it: the reference's `pattern` for
    /// designs, singular or plural.
    pub fn parse(raw: &str) -> Option<Kind> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "design" | "designs" | "pattern" | "patterns" => Some(Kind::Design),
            "view" | "views" => Some(Kind::View),
            "filter" | "filters" => Some(Kind::Filter),
            _ => None,
        }
    }

    pub fn read(self) -> Perm {
        match self {
            Kind::Design => Perm::DesignsRead,
            Kind::View => Perm::ViewsRead,
            Kind::Filter => Perm::FiltersRead,
        }
    }

    pub fn update(self) -> Perm {
        match self {
            Kind::Design => Perm::DesignsUpdate,
            Kind::View => Perm::ViewsUpdate,
            Kind::Filter => Perm::FiltersUpdate,
        }
    }

    /// Views have no delete operation: their update key stands in.
    pub fn delete(self) -> Perm {
        match self {
            Kind::Design => Perm::DesignsDelete,
            Kind::View => Perm::ViewsUpdate,
            Kind::Filter => Perm::FiltersDelete,
        }
    }

    pub fn share(self) -> Perm {
        match self {
            Kind::Design => Perm::DesignsShare,
            Kind::View => Perm::ViewsShare,
            Kind::Filter => Perm::FiltersShare,
        }
    }
}

/// What a check needs to know of an item.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    pub kind: Kind,
    pub uuid: uuid::Uuid,
    pub org_uuid: uuid::Uuid,
    pub owner: Option<UserId>,
    pub visibility: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    See,
    Edit,
    Delete,
    Share,
}

/// Every actor UUID a share can name that covers the caller: themselves, the
/// organizations they are a member of and the live teams they belong to.
pub fn actors(c: &Conn, p: &Principal) -> AppResult<Vec<String>> {
    let mut out = vec![p.user_uuid.to_string()];
    for (org_uuid, g) in &p.grants.orgs {
        out.push(org_uuid.to_string());
        for (_, team, _) in teams::of_user(c, g.org, p.user)? {
            out.push(team.to_string());
        }
    }
    Ok(out)
}

/// The access a share gives the caller to an item: `edit`, `read` or none.
pub fn shared_access(c: &Conn, p: &Principal, kind: Kind, uuid: uuid::Uuid) -> AppResult<Option<String>> {
    shares::access_for(c, kind.as_str(), &uuid.to_string(), &actors(c, p)?)
}

/// May `p` do `need` with `item`? "Not found" when the caller may not even
/// see it; refused (or "not found" for a non-member without a share) when
/// they see it but may not do more.
pub fn check(c: &Conn, p: &Principal, item: Item<'_>, need: Need) -> AppResult<()> {
    let org = item.org_uuid;
    let mine = item.owner == Some(p.user);
    let member_sees =
        p.may(org, item.kind.read()) && (item.visibility != "private" || mine || p.may(org, item.kind.update()));
    // Shares are read only when the organization's own rules do not settle it.
    let mut cached: Option<Option<String>> = None;
    let mut share = || -> AppResult<Option<String>> {
        if cached.is_none() {
            cached = Some(shared_access(c, p, item.kind, item.uuid)?);
        }
        Ok(cached.clone().flatten())
    };
    if !(item.visibility == "published" || member_sees || share()?.is_some()) {
        // A member without the read key is refused, as before sharing existed.
        p.require(org, item.kind.read())?;
        return Err(AppError::NotFound);
    }
    // Without the key: an edit share still edits; a share shows the item,
    // so the caller is refused rather than told it does not exist.
    let mut without_key = |perm: Perm, edit_share_suffices: bool| -> AppResult<()> {
        let Err(e) = p.require(org, perm) else { return Ok(()) };
        let shared = share()?;
        match (e, shared.as_deref()) {
            (_, Some("edit")) if edit_share_suffices => Ok(()),
            (AppError::NotFound, Some(_)) => Err(AppError::Forbidden),
            (e, _) => Err(e),
        }
    };
    match need {
        Need::See => Ok(()),
        Need::Edit => without_key(item.kind.update(), true),
        Need::Delete => without_key(item.kind.delete(), false),
        Need::Share if mine => Ok(()),
        Need::Share => without_key(item.kind.share(), false),
    }
}

/// An edit share changes an item, not who may see it: only its owner and
/// holders of the kind's update key change its visibility.
pub fn may_change_visibility(p: &Principal, item: Item<'_>, to: &str) -> AppResult<()> {
    let allowed = item.owner == Some(p.user) || p.may(item.org_uuid, item.kind.update());
    if to != item.visibility && !allowed { Err(AppError::Forbidden) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_types_take_the_reference_spellings() {
        for (raw, kind) in
            [("pattern", Kind::Design), ("Designs", Kind::Design), ("view", Kind::View), ("filters", Kind::Filter)]
        {
            assert_eq!(Kind::parse(raw), Some(kind));
        }
        assert_eq!(Kind::parse("workspace"), None);
    }
}
