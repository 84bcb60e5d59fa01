//! Where the warehouse lives: a local directory or an S3-compatible bucket, both behind
//! [`object_store`]. Every read and write of the exporter goes through [`Location`]; on a local
//! directory, written files are also fsynced (with their directories) before a checkpoint may
//! name them, because `object_store`'s local backend renames files into place without syncing.

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use futures_util::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use url::Url;

use crate::error::{WarehouseError, WarehouseResult};

/// Connection options of an S3-compatible object store (AWS S3, MinIO, …). Unset fields fall
/// back to the usual `AWS_*` environment variables of the AWS SDKs.
#[derive(Debug, Clone, Default)]
pub struct S3Options {
    /// Endpoint URL, e.g. `http://127.0.0.1:9000` for MinIO; AWS when unset.
    pub endpoint: Option<String>,
    /// Region (`us-east-1` when unset and the environment names none).
    pub region: Option<String>,
    /// Access key id.
    pub access_key_id: Option<String>,
    /// Secret access key.
    pub secret_access_key: Option<String>,
    /// Allow plain `http://` endpoints (MinIO on a private network, tests).
    pub allow_http: bool,
}

/// A warehouse root: an object store and the key prefix of the warehouse inside it.
#[derive(Clone)]
pub struct Location {
    store: Arc<dyn ObjectStore>,
    /// Key prefix inside `store` ("" for a local directory, whose store is rooted there).
    prefix: String,
    /// The root as a URL DataFusion understands (`file:///…/` or `s3://bucket/prefix/`).
    root_url: Url,
    /// The URL of the object store itself, for DataFusion's registry (`s3://bucket`); `None`
    /// for local directories (DataFusion has its own local file system store).
    store_url: Option<Url>,
    /// The local directory, for fsync.
    local_root: Option<PathBuf>,
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Location").field("root", &self.root_url.as_str()).finish_non_exhaustive()
    }
}

impl Location {
    /// A warehouse in a local directory (created if missing).
    pub fn local(dir: &FsPath) -> WarehouseResult<Location> {
        std::fs::create_dir_all(dir).map_err(|e| {
            WarehouseError::Location(format!("cannot create the warehouse directory {}: {e}", dir.display()))
        })?;
        let root = dir.canonicalize().map_err(|e| {
            WarehouseError::Location(format!("cannot resolve the warehouse directory {}: {e}", dir.display()))
        })?;
        let store = LocalFileSystem::new_with_prefix(&root)
            .map_err(|e| WarehouseError::Location(format!("cannot open {}: {e}", root.display())))?;
        let mut root_url = Url::from_directory_path(&root)
            .map_err(|()| WarehouseError::Location(format!("{} is not an absolute directory", root.display())))?;
        if !root_url.path().ends_with('/') {
            root_url.set_path(&format!("{}/", root_url.path()));
        }
        Ok(Location {
            store: Arc::new(store),
            prefix: String::new(),
            root_url,
            store_url: None,
            local_root: Some(root),
        })
    }

    /// A warehouse named by `spec`: `s3://bucket/prefix` (with `s3` options), `file:///dir`, or
    /// a plain directory path.
    pub fn parse(spec: &str, s3: &S3Options) -> WarehouseResult<Location> {
        if let Some(rest) = spec.strip_prefix("s3://") {
            return Location::s3(rest, s3);
        }
        if spec.starts_with("file://") {
            let url = Url::parse(spec).map_err(|e| WarehouseError::Location(format!("bad URL `{spec}`: {e}")))?;
            let path = url
                .to_file_path()
                .map_err(|()| WarehouseError::Location(format!("`{spec}` does not name a local directory")))?;
            return Location::local(&path);
        }
        if spec.contains("://") {
            return Err(WarehouseError::Location(format!(
                "unsupported warehouse URL `{}`: use a directory, file:///dir or s3://bucket/prefix",
                redact(spec)
            )));
        }
        Location::local(FsPath::new(spec))
    }

    fn s3(rest: &str, opts: &S3Options) -> WarehouseResult<Location> {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(WarehouseError::Location("an s3:// URL needs a bucket: s3://bucket/prefix".into()));
        }
        let prefix = prefix.trim_matches('/').to_string();
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        if let Some(endpoint) = &opts.endpoint {
            builder = builder.with_endpoint(endpoint.clone());
            if endpoint.starts_with("http://") {
                builder = builder.with_allow_http(true);
            }
        }
        if opts.allow_http {
            builder = builder.with_allow_http(true);
        }
        let region = opts
            .region
            .clone()
            .or_else(|| std::env::var("AWS_REGION").ok())
            .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
            .unwrap_or_else(|| "us-east-1".to_string());
        builder = builder.with_region(region);
        if let Some(key) = &opts.access_key_id {
            builder = builder.with_access_key_id(key.clone());
        }
        if let Some(secret) = &opts.secret_access_key {
            builder = builder.with_secret_access_key(secret.clone());
        }
        let store = builder.build().map_err(|e| {
            WarehouseError::Location(format!("cannot configure the S3 store: {}", redact(&e.to_string())))
        })?;
        let store_url = Url::parse(&format!("s3://{bucket}"))
            .map_err(|e| WarehouseError::Location(format!("bad bucket name `{bucket}`: {e}")))?;
        let root = if prefix.is_empty() { format!("s3://{bucket}/") } else { format!("s3://{bucket}/{prefix}/") };
        let root_url = Url::parse(&root).map_err(|e| WarehouseError::Location(format!("bad S3 URL: {e}")))?;
        Ok(Location { store: Arc::new(store), prefix, root_url, store_url: Some(store_url), local_root: None })
    }

    /// The root as a URL (`file:///…/` or `s3://bucket/prefix/`), ending with `/`.
    pub fn root_url(&self) -> &Url {
        &self.root_url
    }

    /// The URL of a table directory (`<root>/<table>/`).
    pub fn table_url(&self, table: &str) -> String {
        format!("{}{table}/", self.root_url)
    }

    /// The object store and the URL to register it under with DataFusion (`None` for local
    /// directories, which DataFusion reads with its own local store).
    pub fn object_store(&self) -> (Arc<dyn ObjectStore>, Option<&Url>) {
        (self.store.clone(), self.store_url.as_ref())
    }

    /// The local directory, when the warehouse is one.
    pub fn local_root(&self) -> Option<&FsPath> {
        self.local_root.as_deref()
    }

    /// On a local directory, takes the exclusive export lock (`_bullpen/export.lock`, released
    /// when the returned file is dropped); fails at once when another exporter holds it. On an
    /// object store there is no lock and this returns `None`.
    pub fn lock_exclusive(&self) -> WarehouseResult<Option<std::fs::File>> {
        let Some(root) = &self.local_root else { return Ok(None) };
        let dir = root.join("_bullpen");
        let path = dir.join("export.lock");
        let err = |e: std::io::Error| WarehouseError::Storage(format!("cannot open {}: {e}", path.display()));
        std::fs::create_dir_all(&dir).map_err(err)?;
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(err)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) => Err(WarehouseError::Storage(format!(
                "another export is running on this warehouse (lock {} is held)",
                path.display()
            ))),
            Err(std::fs::TryLockError::Error(e)) => Err(err(e)),
        }
    }

    fn key(&self, rel: &str) -> WarehouseResult<Path> {
        let full = if self.prefix.is_empty() { rel.to_string() } else { format!("{}/{rel}", self.prefix) };
        Path::parse(&full).map_err(|e| WarehouseError::Invalid(format!("bad object key `{full}`: {e}")))
    }

    /// Writes (replaces) the object at `rel`, atomically: readers see the old or the new
    /// content, never a part.
    pub async fn put(&self, rel: &str, bytes: Vec<u8>) -> WarehouseResult<()> {
        let key = self.key(rel)?;
        self.store.put(&key, PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// Makes the objects at `rels` durable. S3 puts are durable when they return; local files
    /// are fsynced with every directory from them up to the root.
    pub async fn sync(&self, rels: Vec<String>) -> WarehouseResult<()> {
        let Some(root) = self.local_root.clone() else { return Ok(()) };
        if rels.is_empty() {
            return Ok(());
        }
        tokio::task::spawn_blocking(move || sync_local(&root, &rels)).await?
    }

    /// Reads the object at `rel`, `None` when it does not exist.
    pub async fn get(&self, rel: &str) -> WarehouseResult<Option<Vec<u8>>> {
        let key = self.key(rel)?;
        match self.store.get(&key).await {
            Ok(result) => Ok(Some(result.bytes().await?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes the object at `rel`; a missing object is not an error.
    pub async fn delete(&self, rel: &str) -> WarehouseResult<()> {
        let key = self.key(rel)?;
        match self.store.delete(&key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Every object under `rel_prefix` (recursively), as paths relative to the root, sorted.
    pub async fn list(&self, rel_prefix: &str) -> WarehouseResult<Vec<String>> {
        let key = self.key(rel_prefix)?;
        let strip = if self.prefix.is_empty() { String::new() } else { format!("{}/", self.prefix) };
        let metas: Vec<_> = self.store.list(Some(&key)).try_collect().await?;
        let mut out: Vec<String> = metas
            .into_iter()
            .map(|m| {
                let full = m.location.to_string();
                full.strip_prefix(&strip).map(str::to_string).unwrap_or(full)
            })
            .collect();
        out.sort();
        Ok(out)
    }
}

fn sync_local(root: &FsPath, rels: &[String]) -> WarehouseResult<()> {
    let io = |what: &FsPath, e: std::io::Error| WarehouseError::Storage(format!("cannot sync {}: {e}", what.display()));
    let mut dirs = std::collections::BTreeSet::new();
    for rel in rels {
        let path = root.join(rel);
        let file = std::fs::File::open(&path).map_err(|e| io(&path, e))?;
        file.sync_all().map_err(|e| io(&path, e))?;
        let mut dir = path.parent();
        while let Some(d) = dir {
            dirs.insert(d.to_path_buf());
            if d == root {
                break;
            }
            dir = d.parent();
        }
    }
    // Deepest first, so that a directory entry is durable before its parent's.
    for dir in dirs.iter().rev() {
        let handle = std::fs::File::open(dir).map_err(|e| io(dir, e))?;
        handle.sync_all().map_err(|e| io(dir, e))?;
    }
    Ok(())
}

/// Removes anything that looks like credentials from a URL or message (`user:pass@`).
fn redact(s: &str) -> String {
    match (s.find("://"), s.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://***@{}", &s[..scheme], &s[at + 1..]),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[tokio::test]
    async fn local_put_get_list_delete() {
        let dir = tempfile::tempdir().unwrap();
        let loc = Location::parse(dir.path().join("wh").to_str().unwrap(), &S3Options::default()).unwrap();
        loc.put("t/tournament_id=1/date=2024-01-02/part-1-2.parquet", b"abc".to_vec()).await.unwrap();
        loc.sync(vec!["t/tournament_id=1/date=2024-01-02/part-1-2.parquet".into()]).await.unwrap();
        assert_eq!(loc.get("t/tournament_id=1/date=2024-01-02/part-1-2.parquet").await.unwrap().unwrap(), b"abc");
        assert_eq!(loc.list("t").await.unwrap(), vec!["t/tournament_id=1/date=2024-01-02/part-1-2.parquet"]);
        loc.delete("t/tournament_id=1/date=2024-01-02/part-1-2.parquet").await.unwrap();
        loc.delete("t/missing").await.unwrap();
        assert!(loc.get("t/tournament_id=1/date=2024-01-02/part-1-2.parquet").await.unwrap().is_none());
        assert!(loc.table_url("fills").starts_with("file:///"));
        assert!(loc.table_url("fills").ends_with("/wh/fills/"));
    }

    #[test]
    fn bad_urls_are_refused_without_echoing_credentials() {
        let err = Location::parse("http://user:secret@example.com/x", &S3Options::default()).unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(Location::parse("s3://", &S3Options::default()).is_err());
    }

    #[test]
    fn s3_urls_keep_bucket_and_prefix() {
        let opts = S3Options {
            endpoint: Some("http://127.0.0.1:9000".into()),
            region: Some("us-east-1".into()),
            access_key_id: Some("k".into()),
            secret_access_key: Some("s".into()),
            allow_http: true,
        };
        let loc = Location::parse("s3://bucket/some/prefix/", &opts).unwrap();
        assert_eq!(loc.table_url("fills"), "s3://bucket/some/prefix/fills/");
        assert_eq!(loc.object_store().1.unwrap().as_str(), "s3://bucket");
        assert_eq!(loc.key("a/b").unwrap().to_string(), "some/prefix/a/b");
    }
}
