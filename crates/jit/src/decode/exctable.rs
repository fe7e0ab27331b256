//! The 3.11+ exception table (`co_exceptiontable`).
//!
//! A sequence of entries of four varints: `start`, `length`, `target` (code units) and
//! `depth << 1 | lasti`. A varint is big-endian groups of 6 bits; bit 6 (0x40) says more bytes
//! follow; bit 7 (0x80) marks the first byte of an entry. The same format in 3.11, 3.12 and 3.13.

/// One entry, in byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// First covered byte offset.
    pub start: u32,
    /// One past the last covered byte offset.
    pub end: u32,
    /// Handler byte offset.
    pub target: u32,
    /// Stack depth to unwind to.
    pub depth: u32,
    /// Push the raising instruction's offset before the exception.
    pub lasti: bool,
}

/// Parses a table.
pub fn parse(table: &[u8]) -> Result<Vec<Entry>, String> {
    let mut pos = 0usize;
    let mut out = Vec::new();
    while pos < table.len() {
        if table[pos] & 0x80 == 0 {
            return Err(format!(
                "exception table entry at byte {pos} lacks its start mark"
            ));
        }
        let mut fields = [0u32; 4];
        for field in fields.iter_mut() {
            let mut value = 0u32;
            loop {
                let b = *table
                    .get(pos)
                    .ok_or("exception table ends inside an entry")?;
                pos += 1;
                value = (value << 6) | u32::from(b & 0x3f);
                if b & 0x40 == 0 {
                    break;
                }
            }
            *field = value;
        }
        let [start, length, target, dl] = fields;
        out.push(Entry {
            start: start * 2,
            end: (start + length) * 2,
            target: target * 2,
            depth: dl >> 1,
            lasti: dl & 1 == 1,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_the_measured_311_table() {
        // try: g() except ValueError as e: h(e); with a as b: g(b)  (3.11.7, see the ABI matrix)
        let hex = "820e1100910a34039b0f2f03af053403be10411b03c11b04411f07c12201411f07";
        let table: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let got: Vec<(u32, u32, u32, u32, bool)> = super::parse(&table)
            .unwrap()
            .iter()
            .map(|e| (e.start, e.end, e.target, e.depth, e.lasti))
            .collect();
        assert_eq!(
            got,
            vec![
                (4, 32, 34, 0, false),
                (34, 54, 104, 1, true),
                (54, 84, 94, 1, true),
                (94, 104, 104, 1, true),
                (124, 156, 182, 1, true),
                (182, 190, 190, 3, true),
                (196, 198, 190, 3, true)
            ]
        );
        assert!(super::parse(&[0x02]).is_err());
        assert!(super::parse(&[0x82, 0x4e]).is_err());
        assert!(super::parse(&[]).unwrap().is_empty());
    }
}
