//! Wire types of upstream sign-in providers.

use poem_openapi::{Enum, Object};

use super::{ReadMetadata, WriteMetadata};

/// `oauth2ProviderType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum ProviderType {
    Google,
    Microsoft,
    Github,
}

impl ProviderType {
    pub fn as_db(self) -> &'static str {
        match self {
            Self::Google => "google",
            Self::Microsoft => "microsoft",
            Self::Github => "github",
        }
    }

    pub fn from_db(s: &str) -> Option<Self> {
        match s {
            "google" => Some(Self::Google),
            "microsoft" => Some(Self::Microsoft),
            "github" => Some(Self::Github),
            _ => None,
        }
    }
}

/// `oauth2ProviderSpec`. `clientSecret` is write-only: never rendered.
#[derive(Debug, Clone, Object)]
pub struct ProviderSpec {
    #[oai(rename = "type", skip_serializing_if_is_none)]
    pub kind: Option<ProviderType>,
    /// The OIDC issuer (discovery is relative to it).
    pub issuer: String,
    #[oai(rename = "clientID")]
    pub client_id: String,
    #[oai(rename = "clientSecret", write_only, skip_serializing_if_is_none)]
    pub client_secret: Option<String>,
}

/// `oauth2ProviderWrite`.
#[derive(Debug, Clone, Object)]
pub struct ProviderWrite {
    pub metadata: WriteMetadata,
    pub spec: ProviderSpec,
}

/// `oauth2ProviderRead` (and `systemOauth2ProviderRead`, without an organization).
#[derive(Debug, Clone, Object)]
pub struct ProviderRead {
    pub metadata: ReadMetadata,
    pub spec: ProviderSpec,
}
