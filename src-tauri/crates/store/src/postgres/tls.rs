//! TLS to PostgreSQL, as managed databases require, through rustls (no OpenSSL).
//!
//! The URL's `sslmode` and `sslrootcert` mean what they mean to libpq, so that the URL a
//! provider hands out works as it is: `disable` never encrypts; `prefer` (the default, and
//! `allow`) encrypts when the server can; `require` always encrypts but, as in libpq, does
//! not check who answers (unless `sslrootcert` names a CA, when the chain is checked);
//! `verify-ca` checks that a trusted CA signed the server's certificate; `verify-full` also
//! checks that the certificate names the host in the URL. Trusted CAs: the PEM file
//! `sslrootcert` names, or the system's (`sslrootcert=system`, which implies `verify-full`,
//! or none). tokio-postgres reads
//! neither the two `verify-*` modes nor `sslrootcert`, so both are taken out of the URL here.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, Error, RootCertStore, SignatureScheme,
};
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

/// What the server's certificate must prove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// Nothing: the connection is encrypted, whoever answers (`prefer`, `require`).
    Nothing,
    /// That a trusted CA signed it (`verify-ca`).
    Chain,
    /// That a trusted CA signed it for the host in the URL (`verify-full`).
    ChainAndHost,
}

/// The URL's TLS settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tls {
    pub mode: SslMode,
    pub check: Check,
    /// `sslrootcert`, unless it is `system`.
    pub roots: Option<PathBuf>,
}

/// Takes `sslmode` and `sslrootcert` out of `url`'s query: the URL without them, and the
/// settings they make; an error says which value is wrong.
pub(crate) fn split(url: &str) -> Result<(String, Tls), String> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let (mut sslmode, mut rootcert) = (None, None);
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = || {
            form_urlencoded::parse(format!("v={value}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        match key {
            "sslmode" => sslmode = Some(decoded()),
            "sslrootcert" => rootcert = Some(decoded()),
            _ => kept.push(pair),
        }
    }
    // As libpq 16: the system's CAs are named only to check names against them.
    let system = rootcert.as_deref() == Some("system");
    if system && sslmode.as_deref().is_some_and(|m| m != "verify-full") {
        return Err("sslrootcert=system needs sslmode=verify-full (or no sslmode)".into());
    }
    let roots = rootcert.filter(|_| !system).map(PathBuf::from);
    let default = if system { "verify-full" } else { "prefer" };
    let (mode, check) = match sslmode.as_deref().unwrap_or(default) {
        "disable" => (SslMode::Disable, Check::Nothing),
        "allow" | "prefer" => (SslMode::Prefer, Check::Nothing),
        // As libpq: naming a CA file makes `require` check the chain.
        "require" if roots.is_some() => (SslMode::Require, Check::Chain),
        "require" => (SslMode::Require, Check::Nothing),
        "verify-ca" => (SslMode::Require, Check::Chain),
        "verify-full" => (SslMode::Require, Check::ChainAndHost),
        other => {
            return Err(format!(
                "sslmode={other} is not one of disable, allow, prefer, require, verify-ca, \
                 verify-full"
            ));
        }
    };
    let url = match kept.is_empty() {
        true => base.to_string(),
        false => format!("{base}?{}", kept.join("&")),
    };
    Ok((url, Tls { mode, check, roots }))
}

impl Tls {
    /// The connector every connection of the store uses (tokio-postgres uses it only when
    /// `mode` asks for TLS and the server offers it).
    pub(crate) fn connector(&self) -> Result<MakeRustlsConnect, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let algorithms = provider.signature_verification_algorithms;
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let config = match self.check {
            Check::Nothing => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(EncryptOnly(algorithms))),
            Check::Chain => {
                let verifier =
                    WebPkiServerVerifier::builder_with_provider(Arc::new(self.roots()?), provider)
                        .build()
                        .map_err(|e| e.to_string())?;
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(ChainOnly(verifier)))
            }
            Check::ChainAndHost => builder.with_root_certificates(self.roots()?),
        };
        Ok(MakeRustlsConnect::new(config.with_no_client_auth()))
    }

    /// The CAs trusted: `sslrootcert`'s, or the system's.
    fn roots(&self) -> Result<RootCertStore, String> {
        let mut roots = RootCertStore::empty();
        let certs: Vec<CertificateDer<'static>> = match &self.roots {
            Some(path) => CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect())
                .map_err(|e| format!("cannot read sslrootcert {}: {e}", path.display()))?,
            None => rustls_native_certs::load_native_certs().certs,
        };
        let (added, _) = roots.add_parsable_certificates(certs);
        match (added, &self.roots) {
            (0, Some(path)) => Err(format!("sslrootcert {} holds no CA", path.display())),
            (0, None) => Err("no system CA certificates found: pass sslrootcert=FILE".into()),
            _ => Ok(roots),
        }
    }
}

/// Accepts any certificate, but checks the handshake's signatures: the connection is
/// encrypted, as libpq's `require` promises, and no more.
#[derive(Debug)]
struct EncryptOnly(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// Checks the chain as the web PKI does, but not the name (`verify-ca`).
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        // The name is checked only once the chain holds, so a name error means a good chain.
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_table() {
        use Check::*;
        let cases: &[(&str, &str, SslMode, Check, Option<&str>)] = &[
            (
                "postgres://u@h/db",
                "postgres://u@h/db",
                SslMode::Prefer,
                Nothing,
                None,
            ),
            (
                "postgres://u@h/db?sslmode=disable",
                "postgres://u@h/db",
                SslMode::Disable,
                Nothing,
                None,
            ),
            (
                "postgres://u@h/db?sslmode=allow",
                "postgres://u@h/db",
                SslMode::Prefer,
                Nothing,
                None,
            ),
            (
                "postgres://u@h/db?sslmode=require",
                "postgres://u@h/db",
                SslMode::Require,
                Nothing,
                None,
            ),
            (
                "postgres://u@h/db?sslmode=require&sslrootcert=%2Fca.pem",
                "postgres://u@h/db",
                SslMode::Require,
                Chain,
                Some("/ca.pem"),
            ),
            (
                "postgres://u@h/db?sslmode=verify-ca",
                "postgres://u@h/db",
                SslMode::Require,
                Chain,
                None,
            ),
            (
                "postgres://u@h/db?application_name=a&sslmode=verify-full&connect_timeout=3",
                "postgres://u@h/db?application_name=a&connect_timeout=3",
                SslMode::Require,
                ChainAndHost,
                None,
            ),
            (
                "postgres://u@h/db?sslrootcert=system",
                "postgres://u@h/db",
                SslMode::Require,
                ChainAndHost,
                None,
            ),
        ];
        for (url, rest, mode, check, roots) in cases {
            let (got, tls) = split(url).expect(url);
            assert_eq!(got, *rest, "{url}");
            assert_eq!(
                tls,
                Tls {
                    mode: *mode,
                    check: *check,
                    roots: roots.map(PathBuf::from)
                },
                "{url}"
            );
        }
        let err = split("postgres://u@h/db?sslmode=verify").expect_err("unknown mode");
        assert!(err.contains("sslmode=verify is not one of"), "{err}");
        let err = split("postgres://u@h/db?sslrootcert=system&sslmode=require").expect_err("weak");
        assert!(err.contains("needs sslmode=verify-full"), "{err}");
    }

    #[test]
    fn a_ca_file_that_holds_no_ca_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate").expect("write");
        let tls = Tls {
            mode: SslMode::Require,
            check: Check::ChainAndHost,
            roots: Some(path.clone()),
        };
        let err = tls.connector().err().expect("no CA");
        assert!(err.contains(&path.display().to_string()), "{err}");
    }
}
