use std::fmt;
use std::sync::Arc;

/// The identity of an actor: its name for named actors, a UUID v4 otherwise.
///
/// Cheap to clone (one reference count). A supervised child keeps its id across restarts.
///
/// ```
/// use tokio_actors::ActorId;
/// let id = ActorId::from("worker-1");
/// assert_eq!(id.as_str(), "worker-1");
/// assert_eq!(id.to_string(), "worker-1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActorId(Arc<str>);

impl ActorId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A fresh random id (UUID v4, lowercase, hyphenated).
    pub(crate) fn random() -> Self {
        let uuid = uuid::Builder::from_random_bytes(crate::rng::next_bytes()).into_uuid();
        let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
        ActorId(Arc::from(&*uuid.hyphenated().encode_lower(&mut text)))
    }
}

impl<T: Into<String>> From<T> for ActorId {
    fn from(value: T) -> Self {
        ActorId(Arc::from(value.into()))
    }
}

impl fmt::Display for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ActorId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_distinct_v4_uuids() {
        let a = ActorId::random();
        let b = ActorId::random();
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(a.as_str()).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(a.as_str(), a.as_str().to_lowercase());
        assert_eq!(a.as_str().len(), 36);
    }
}
