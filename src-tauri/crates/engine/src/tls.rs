//! TLS for the listeners that face the internet on a relay (the receiver and the relay
//! stream): rustls with the `ring` provider (no C toolchain beyond the one SQLite needs),
//! a certificate chain and its key from PEM files, read once at start.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// The PEM files of a certificate chain and its private key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Why TLS cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS certificate {}: {why}", path.display())]
    Cert { path: PathBuf, why: String },
    #[error("cannot read the TLS key {}: {why}", path.display())]
    Key { path: PathBuf, why: String },
    #[error("the TLS certificate and key do not go together: {0}")]
    Mismatch(String),
}

/// The server side of TLS from `files`: HTTP/2 and HTTP/1.1 offered.
pub fn server_config(files: &TlsFiles) -> Result<Arc<ServerConfig>, TlsError> {
    let certs = read_certs(&files.cert).map_err(|why| TlsError::Cert {
        path: files.cert.clone(),
        why,
    })?;
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| TlsError::Key {
        path: files.key.clone(),
        why: pem_error(&e),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Mismatch(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| TlsError::Mismatch(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Every certificate in the PEM file at `path`; at least one.
pub(crate) fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| pem_error(&e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(&e))?;
    if certs.is_empty() {
        return Err("no PEM certificate in it (-----BEGIN CERTIFICATE-----)".into());
    }
    Ok(certs)
}

fn pem_error(e: &rustls_pki_types::pem::Error) -> String {
    match e {
        rustls_pki_types::pem::Error::Io(io) => io.to_string(),
        rustls_pki_types::pem::Error::NoItemsFound => "no PEM item of that kind in it".into(),
        other => format!("not valid PEM ({other:?})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_are_missing_or_wrong_say_which() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = TlsFiles {
            cert: dir.path().join("cert.pem"),
            key: dir.path().join("key.pem"),
        };
        let err = server_config(&missing).expect_err("missing").to_string();
        assert!(err.starts_with("cannot read the TLS certificate"), "{err}");

        let made = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
        std::fs::write(&missing.cert, made.cert.pem()).expect("write");
        std::fs::write(&missing.key, "not a key").expect("write");
        let err = server_config(&missing).expect_err("bad key").to_string();
        assert!(err.starts_with("cannot read the TLS key"), "{err}");

        let other = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
        std::fs::write(&missing.key, other.key_pair.serialize_pem()).expect("write");
        let err = server_config(&missing).expect_err("mismatch").to_string();
        assert!(
            err.starts_with("the TLS certificate and key do not go"),
            "{err}"
        );

        std::fs::write(&missing.key, made.key_pair.serialize_pem()).expect("write");
        let config = server_config(&missing).expect("a pair");
        assert_eq!(config.alpn_protocols.len(), 2);
    }
}
