//! The relay stream's framing, version [`PROTOCOL`]: length-prefixed frames, so bodies and
//! header values travel as their exact bytes, whatever they hold.
//!
//! ```text
//! frame    = kind:u8  length:u32 (big-endian)  payload[length]
//! capture  = meta_length:u32  meta (JSON, MirrorMeta)  header_count:u32
//!            { name_length:u16 name  value_length:u32 value }*  body (the rest)
//! others   = JSON (Hello, CaughtUp, Heartbeat, Expired, Closing)
//! ```
//!
//! Chosen over NDJSON with base64 bodies: no third more bytes on the wire, no encoding
//! pass on either side (figures in docs/BENCHMARKS.md, `examples/relay_wire.rs`). A reader
//! refuses a frame longer than [`MAX_FRAME`] before buffering it.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use hooklens_store::BodyState;
use serde::{Deserialize, Serialize};

/// The stream's version: a subscriber refuses a relay that speaks another.
pub const PROTOCOL: u32 = 1;
/// What the handshake document's `service` says.
pub const SERVICE: &str = "hooklens-relay";
/// The longest frame a reader takes: a capture is at most the relay's body limit (a few
/// MiB to a few hundred) plus its head.
pub const MAX_FRAME: usize = 1 << 30;

const HELLO: u8 = 1;
const CAPTURE: u8 = 2;
const CAUGHT_UP: u8 = 3;
const HEARTBEAT: u8 = 4;
const EXPIRED: u8 = 5;
const CLOSING: u8 = 6;

/// `GET /relay/v1`: what a relay is, asked before subscribing (no token needed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handshake {
    /// Always [`SERVICE`].
    pub service: String,
    pub protocol: u32,
    pub version: String,
    pub relay_id: String,
}

/// First on every stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    /// The relay's Hooklens version.
    pub version: String,
    /// The relay's id: subscribers keep their cursor under it.
    pub relay_id: String,
    /// The newest position committed on the relay.
    pub head: i64,
    /// How many captures after the subscriber's cursor are stored (any endpoint).
    pub pending: u64,
    /// A heartbeat comes at least this often while nothing else does.
    pub heartbeat_ms: u64,
}

/// A capture's metadata as the relay stored it; the subscriber works out the rest (endpoint,
/// provider, signature, rules) with its own configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirrorMeta {
    /// Its position in the relay's stream.
    pub position: i64,
    pub id: String,
    pub received_at_us: i64,
    pub duration_us: i64,
    /// The relay's endpoint name (for reading; the subscriber's own endpoints apply).
    pub endpoint: String,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub http_version: String,
    pub remote_addr: Option<String>,
    pub body_state: BodyState,
    pub body_note: Option<String>,
    pub size: u64,
    pub response_status: u16,
    /// The scheme of the relay's receiver (`https` when it serves TLS of its own), which the
    /// sender called: schemes that sign the URL need it. A relay of an earlier
    /// Hooklens leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
}

/// A capture with its exact headers and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    pub meta: MirrorMeta,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

/// The stream reached the relay's newest capture: what follows is live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaughtUp {
    pub position: i64,
}

/// Nothing new; the connection is alive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    pub head: i64,
}

/// Captures after the subscriber's cursor that the relay no longer has (its retention, or a
/// person, deleted them before this subscriber got them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expired {
    pub count: u64,
}

/// The relay ends the stream: `revoked` (the token), `shutdown`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closing {
    pub code: String,
    pub message: String,
}

/// One frame of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Hello(Hello),
    Capture(Box<Mirror>),
    CaughtUp(CaughtUp),
    Heartbeat(Heartbeat),
    Expired(Expired),
    Closing(Closing),
}

/// A stream that does not follow this framing.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("a frame of {0} bytes, over the {MAX_FRAME}-byte limit")]
    TooLong(usize),
    #[error("unknown frame kind {0}")]
    UnknownKind(u8),
    #[error("a malformed capture frame: {0}")]
    Malformed(&'static str),
    #[error("a malformed frame: {0}")]
    Json(#[from] serde_json::Error),
}

impl Frame {
    /// Appends the frame to `out`.
    pub fn encode(&self, out: &mut BytesMut) -> Result<(), serde_json::Error> {
        let (kind, payload) = match self {
            Frame::Capture(mirror) => {
                let start = out.len();
                out.put_u8(CAPTURE);
                out.put_u32(0); // length, filled in below
                encode_capture(mirror, out)?;
                let length = (out.len() - start - 5) as u32;
                out[start + 1..start + 5].copy_from_slice(&length.to_be_bytes());
                return Ok(());
            }
            Frame::Hello(h) => (HELLO, serde_json::to_vec(h)?),
            Frame::CaughtUp(c) => (CAUGHT_UP, serde_json::to_vec(c)?),
            Frame::Heartbeat(h) => (HEARTBEAT, serde_json::to_vec(h)?),
            Frame::Expired(e) => (EXPIRED, serde_json::to_vec(e)?),
            Frame::Closing(c) => (CLOSING, serde_json::to_vec(c)?),
        };
        out.put_u8(kind);
        out.put_u32(payload.len() as u32);
        out.put_slice(&payload);
        Ok(())
    }

    fn decode(kind: u8, payload: Bytes) -> Result<Frame, WireError> {
        Ok(match kind {
            HELLO => Frame::Hello(serde_json::from_slice(&payload)?),
            CAPTURE => Frame::Capture(Box::new(decode_capture(payload)?)),
            CAUGHT_UP => Frame::CaughtUp(serde_json::from_slice(&payload)?),
            HEARTBEAT => Frame::Heartbeat(serde_json::from_slice(&payload)?),
            EXPIRED => Frame::Expired(serde_json::from_slice(&payload)?),
            CLOSING => Frame::Closing(serde_json::from_slice(&payload)?),
            other => return Err(WireError::UnknownKind(other)),
        })
    }
}

fn encode_capture(mirror: &Mirror, out: &mut BytesMut) -> Result<(), serde_json::Error> {
    let meta = serde_json::to_vec(&mirror.meta)?;
    let heads: usize = mirror
        .headers
        .iter()
        .map(|(n, v)| 6 + n.len() + v.len())
        .sum();
    out.reserve(8 + meta.len() + heads + mirror.body.len());
    out.put_u32(meta.len() as u32);
    out.put_slice(&meta);
    out.put_u32(mirror.headers.len() as u32);
    for (name, value) in &mirror.headers {
        out.put_u16(name.len() as u16);
        out.put_slice(name.as_bytes());
        out.put_u32(value.len() as u32);
        out.put_slice(value);
    }
    out.put_slice(&mirror.body);
    Ok(())
}

fn decode_capture(mut p: Bytes) -> Result<Mirror, WireError> {
    let take = |p: &mut Bytes, n: usize, what| {
        if p.remaining() < n {
            return Err(WireError::Malformed(what));
        }
        Ok(p.split_to(n))
    };
    let length = take(&mut p, 4, "meta length")?.get_u32() as usize;
    let meta: MirrorMeta = serde_json::from_slice(&take(&mut p, length, "meta")?)?;
    let count = take(&mut p, 4, "header count")?.get_u32() as usize;
    // Each header takes at least 6 bytes: a count beyond that is a lie, not an allocation.
    let mut headers = Vec::with_capacity(count.min(p.remaining() / 6));
    for _ in 0..count {
        let length = take(&mut p, 2, "header name length")?.get_u16() as usize;
        let name = take(&mut p, length, "header name")?;
        let name = String::from_utf8(name.to_vec())
            .map_err(|_| WireError::Malformed("a header name that is not UTF-8"))?;
        let length = take(&mut p, 4, "header value length")?.get_u32() as usize;
        headers.push((name, take(&mut p, length, "header value")?.to_vec()));
    }
    Ok(Mirror {
        meta,
        headers,
        body: p.to_vec(),
    })
}

/// Cuts frames out of the bytes of a stream as they arrive.
#[derive(Default)]
pub struct FrameReader {
    buf: BytesMut,
}

impl FrameReader {
    /// Adds bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole frame, if one has arrived.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, WireError> {
        if self.buf.len() < 5 {
            return Ok(None);
        }
        let kind = self.buf[0];
        let length = u32::from_be_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]]);
        let length = length as usize;
        if length > MAX_FRAME {
            return Err(WireError::TooLong(length));
        }
        if self.buf.len() < 5 + length {
            self.buf.reserve(5 + length - self.buf.len());
            return Ok(None);
        }
        self.buf.advance(5);
        let payload = self.buf.split_to(length).freeze();
        Frame::decode(kind, payload).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mirror(body: Vec<u8>) -> Mirror {
        Mirror {
            meta: MirrorMeta {
                position: 7,
                id: "01J".into(),
                received_at_us: 1_700_000_000_000_000,
                duration_us: 12,
                endpoint: "stripe".into(),
                method: "POST".into(),
                path: "/stripe/é".into(),
                query: Some("a=1&a=2".into()),
                http_version: "HTTP/1.1".into(),
                remote_addr: Some("203.0.113.9:5000".into()),
                body_state: BodyState::Complete,
                body_note: None,
                size: body.len() as u64,
                response_status: 200,
                scheme: Some("https".into()),
            },
            headers: vec![
                ("x-dup".into(), b"1".to_vec()),
                ("x-dup".into(), b"2".to_vec()),
                ("x-bin".into(), vec![0xff, 0x80, b':', b'\n']),
                ("x-empty".into(), Vec::new()),
            ],
            body,
        }
    }

    #[test]
    fn every_frame_round_trips_whatever_the_chunking() {
        let frames = vec![
            Frame::Hello(Hello {
                protocol: PROTOCOL,
                version: "0.1.0".into(),
                relay_id: "r".into(),
                head: 9,
                pending: 3,
                heartbeat_ms: 15_000,
            }),
            Frame::Capture(Box::new(mirror((0..=255).collect()))),
            Frame::Capture(Box::new(mirror(Vec::new()))),
            Frame::CaughtUp(CaughtUp { position: 9 }),
            Frame::Heartbeat(Heartbeat { head: 9 }),
            Frame::Expired(Expired { count: 4 }),
            Frame::Closing(Closing {
                code: "revoked".into(),
                message: "m".into(),
            }),
        ];
        let mut wire = BytesMut::new();
        for frame in &frames {
            frame.encode(&mut wire).expect("encode");
        }
        for chunk in [1, 3, 7, 64, wire.len()] {
            let mut reader = FrameReader::default();
            let mut back = Vec::new();
            for piece in wire.chunks(chunk) {
                reader.push(piece);
                while let Some(frame) = reader.next_frame().expect("decode") {
                    back.push(frame);
                }
            }
            assert_eq!(back, frames, "in chunks of {chunk}");
        }
    }

    #[test]
    fn broken_streams_are_refused_not_believed() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![9, 0, 0, 0, 0], "unknown frame kind 9"),
            (vec![2, 0xff, 0xff, 0xff, 0xff], "over the"),
            (vec![2, 0, 0, 0, 2, 0, 0], "meta length"),
            (vec![2, 0, 0, 0, 6, 0, 0, 0, 9, b'{', b'}'], "meta"),
            (vec![1, 0, 0, 0, 2, b'{', b'}'], "malformed frame"),
        ];
        for (bytes, want) in cases {
            let mut reader = FrameReader::default();
            reader.push(&bytes);
            let err = reader.next_frame().expect_err("refused").to_string();
            assert!(err.contains(want), "{bytes:?}: {err}");
        }
        // A header count far beyond the bytes present is malformed, not a huge allocation.
        let mut wire = BytesMut::new();
        Frame::Capture(Box::new(mirror(Vec::new())))
            .encode(&mut wire)
            .expect("encode");
        let meta_len = u32::from_be_bytes([wire[5], wire[6], wire[7], wire[8]]) as usize;
        let count_at = 9 + meta_len;
        wire[count_at..count_at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        let mut reader = FrameReader::default();
        reader.push(&wire);
        assert!(reader.next_frame().is_err());
    }
}
