//! A form body that may be absent: `POST /oauth2/v2/userinfo` with only a
//! Bearer header, or an authorization request posted without fields, sends
//! no body and no Content-Type. The handler decides how to answer a body
//! that is not a form (the authorization endpoint answers with a page).

use std::marker::PhantomData;

use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaMediaType, MetaRequest, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

const FORM: &str = "application/x-www-form-urlencoded";

/// The fields of a urlencoded body (documented with the schema `T`):
/// `Ok` with none for an empty body, `Err` with a reason for a body that is
/// not a form.
pub struct OptionalForm<T>(pub Result<Vec<(String, String)>, String>, PhantomData<T>);

impl<T> OptionalForm<T> {
    /// The first value of a field, as the query variant reads it.
    pub fn field(fields: &[(String, String)], name: &str) -> Option<String> {
        fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }
}

fn is_form(content_type: &str) -> bool {
    content_type.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case(FORM))
}

impl<'a, T: poem_openapi::types::Type + Send> ApiExtractor<'a> for OptionalForm<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType { content_type: FORM, schema: T::schema_ref() }],
            required: false,
        })
    }

    async fn from_request(
        req: &'a Request,
        body: &mut RequestBody,
        _opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let bytes = <Vec<u8> as poem::FromRequest>::from_request(req, body).await?;
        let fields = match req.content_type() {
            _ if bytes.is_empty() => Ok(Vec::new()),
            Some(ct) if is_form(ct) => {
                Ok(url::form_urlencoded::parse(&bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
            }
            Some(ct) => Err(format!("the body must be {FORM}, not {ct}")),
            None => Err(format!("a body needs the Content-Type {FORM}")),
        };
        Ok(OptionalForm(fields, PhantomData))
    }
}
