use super::*;
use proptest::prelude::*;

fn tag(hex: &str) -> String {
    match decode_hex(hex) {
        Ok(epc) => epc.tag_uri(),
        Err(e) => panic!("{hex}: {e}"),
    }
}

fn err(hex: &str) -> String {
    match decode_hex(hex) {
        Ok(epc) => panic!("{hex} decoded to {}", epc.tag_uri()),
        Err(e) => e.to_string(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[test]
fn standard_worked_examples() {
    assert_eq!(
        tag("3074257BF7194E4000001A85"),
        "urn:epc:tag:sgtin-96:3.0614141.812345.6789"
    );
    assert_eq!(
        tag("3174257BF4499602D2000000"),
        "urn:epc:tag:sscc-96:3.0614141.1234567890"
    );
    assert_eq!(
        tag("3274257BF46072000000162E"),
        "urn:epc:tag:sgln-96:3.0614141.12345.5678"
    );
    assert_eq!(
        tag("3374257BF40C0E400000162E"),
        "urn:epc:tag:grai-96:3.0614141.12345.5678"
    );
    assert_eq!(
        tag("3474257BF40000000000162E"),
        "urn:epc:tag:giai-96:3.0614141.5678"
    );
    assert_eq!(
        tag("3874257BF59B2C2BF10000000000000000000000000000000000"),
        "urn:epc:tag:giai-202:3.0614141.32a%2Fb"
    );
}

#[test]
fn giai96_accessors_and_uris() {
    let epc = decode_hex("  3474257bf40000000000162e\n").unwrap();
    assert_eq!(epc.scheme(), Scheme::Giai96);
    assert_eq!(epc.scheme_name(), "giai-96");
    assert_eq!(epc.filter(), 3);
    assert_eq!(epc.partition(), 5);
    assert_eq!(epc.company_prefix(), "0614141");
    assert_eq!(epc.id_uri(), "urn:epc:id:giai:0614141.5678");
    assert_eq!(
        epc.gs1_elements(),
        vec![("8004", "06141415678".to_string())]
    );
    assert_eq!(hex(&epc.to_bytes()), "3474257BF40000000000162E");
}

#[test]
fn id_uris_and_gs1_elements_of_the_examples() {
    let sgtin = decode_hex("3074257BF7194E4000001A85").unwrap();
    assert_eq!(sgtin.id_uri(), "urn:epc:id:sgtin:0614141.812345.6789");
    assert_eq!(
        sgtin.gs1_elements(),
        vec![
            ("01", "80614141123458".to_string()),
            ("21", "6789".to_string())
        ]
    );
    let sscc = decode_hex("3174257BF4499602D2000000").unwrap();
    assert_eq!(sscc.id_uri(), "urn:epc:id:sscc:0614141.1234567890");
    // Extension digit 1, prefix 0614141, rest 234567890, check digit.
    assert_eq!(
        sscc.gs1_elements(),
        vec![("00", "106141412345678908".to_string())]
    );
    let sgln = decode_hex("3274257BF46072000000162E").unwrap();
    assert_eq!(sgln.id_uri(), "urn:epc:id:sgln:0614141.12345.5678");
    assert_eq!(
        sgln.gs1_elements(),
        vec![
            ("414", "0614141123452".to_string()),
            ("254", "5678".to_string())
        ]
    );
    let grai = decode_hex("3374257BF40C0E400000162E").unwrap();
    assert_eq!(grai.id_uri(), "urn:epc:id:grai:0614141.12345.5678");
    assert_eq!(
        grai.gs1_elements(),
        vec![("8003", "006141411234525678".to_string())]
    );
    let giai202 = decode_hex("3874257BF59B2C2BF10000000000000000000000000000000000").unwrap();
    assert_eq!(giai202.id_uri(), "urn:epc:id:giai:0614141.32a%2Fb");
    assert_eq!(
        giai202.gs1_elements(),
        vec![("8004", "061414132a/b".to_string())]
    );
}

#[test]
fn sgln_without_extension_has_no_254() {
    let bytes = encode_sgln96(0, "0614141", "12345", 0).unwrap();
    let epc = decode(&bytes).unwrap();
    assert_eq!(epc.tag_uri(), "urn:epc:tag:sgln-96:0.0614141.12345.0");
    assert_eq!(
        epc.gs1_elements(),
        vec![("414", "0614141123452".to_string())]
    );
}

#[test]
fn encoders_reproduce_the_examples_bits() {
    // The examples use filter 3, reserved for these schemes, so encode with 0
    // and compare everything after the filter.
    let giai = encode_giai96(1, "0614141", "5678").unwrap();
    assert_eq!(hex(&giai), "3434257BF40000000000162E");
    let giai202 = encode_giai202(0, "0614141", "32a/b").unwrap();
    assert_eq!(
        hex(&giai202),
        "3814257BF59B2C2BF10000000000000000000000000000000000"
    );
    let sgtin = encode_sgtin96(1, "0614141", "812345", 6789).unwrap();
    assert_eq!(hex(&sgtin), "3034257BF7194E4000001A85");
    let sscc = encode_sscc96(2, "0614141", "1234567890").unwrap();
    assert_eq!(hex(&sscc), "3154257BF4499602D2000000");
    let sgln = encode_sgln96(0, "0614141", "12345", 5678).unwrap();
    assert_eq!(hex(&sgln), "3214257BF46072000000162E");
    let grai = encode_grai96(0, "0614141", "12345", 5678).unwrap();
    assert_eq!(hex(&grai), "3314257BF40C0E400000162E");
}

#[test]
fn long_schemes_round_trip() {
    let sgtin = encode_sgtin198(1, "0614141", "712345", "32a/b").unwrap();
    let epc = decode(&sgtin).unwrap();
    assert_eq!(
        epc.tag_uri(),
        "urn:epc:tag:sgtin-198:1.0614141.712345.32a%2Fb"
    );
    assert_eq!(epc.gs1_elements()[1], ("21", "32a/b".to_string()));
    // 25 bytes (whole bytes) decodes too.
    assert_eq!(decode(&sgtin[..25]).unwrap(), epc);

    let grai = encode_grai170(0, "0614141", "12345", "ABC-1").unwrap();
    let epc = decode(&grai).unwrap();
    assert_eq!(epc.tag_uri(), "urn:epc:tag:grai-170:0.0614141.12345.ABC-1");
    assert_eq!(
        epc.gs1_elements(),
        vec![("8003", "00614141123452ABC-1".to_string())]
    );

    let sgln = encode_sgln195(0, "0614141", "12345", "Bay&7").unwrap();
    let epc = decode(&sgln).unwrap();
    assert_eq!(
        epc.tag_uri(),
        "urn:epc:tag:sgln-195:0.0614141.12345.Bay%267"
    );
    assert_eq!(epc.gs1_elements()[1], ("254", "Bay&7".to_string()));
}

#[test]
fn partition_zero_and_six_edges() {
    // 12-digit prefix: SGLN location reference and GRAI asset type have no digits.
    let sgln = encode_sgln96(0, "061414112345", "", 7).unwrap();
    assert_eq!(
        decode(&sgln).unwrap().id_uri(),
        "urn:epc:id:sgln:061414112345..7"
    );
    let grai = encode_grai96(0, "061414112345", "", 7).unwrap();
    assert_eq!(
        decode(&grai).unwrap().gs1_elements(),
        vec![("8003", "00614141123452".to_string() + "7")]
    );
    // 6-digit prefix: GIAI-96 asset reference up to 62 bits, GIAI-202 24 characters.
    let big = (1u64 << 62) - 1;
    let giai = encode_giai96(0, "061414", &big.to_string()).unwrap();
    assert_eq!(
        decode(&giai).unwrap().id_uri(),
        format!("urn:epc:id:giai:061414.{big}")
    );
    let chars = "ABCDEFGHIJKLMNOPQRSTUVWX";
    let giai = encode_giai202(0, "061414", chars).unwrap();
    assert_eq!(
        decode(&giai).unwrap().id_uri(),
        format!("urn:epc:id:giai:061414.{chars}")
    );
}

#[test]
fn refuses_non_gs1_and_unprogrammed() {
    assert_eq!(
        err("200000000000000000000000"),
        "EPC header 0x20 is not a GS1 scheme"
    );
    assert_eq!(
        err("000000000000000000000000"),
        "unprogrammed tag (all zeros)"
    );
    assert_eq!(
        err("000000000000000000000001"),
        "EPC header 0x00 is not a GS1 scheme"
    );
    assert!(err("E2003412B802011526708EF5").starts_with("EPC header 0xE2 is not a GS1 scheme"));
    assert_eq!(
        err("350000000000000000000000"),
        "EPC header 0x35 (gid-96) is not a GS1 scheme"
    );
    assert_eq!(
        err("2C0000000000000000000000"),
        "EPC scheme gdti-96 (header 0x2C) is not supported"
    );
    assert_eq!(err(""), "EPC is empty");
    assert_eq!(decode(&[]).unwrap_err(), EpcError::Empty);
}

#[test]
fn refuses_bad_hex_and_lengths() {
    assert_eq!(err("3474257"), "EPC hex has an odd number of digits (7)");
    assert_eq!(
        err("3474257BF4000000000016ZE"),
        "EPC hex has 'Z' at position 23, not a hex digit"
    );
    assert_eq!(
        err("3474257BF400000000001620FF"),
        "GIAI-96 needs 12 bytes, got 13"
    );
    assert_eq!(err("3874257BF59B2C2BF1"), "GIAI-202 needs 26 bytes, got 9");
    assert_eq!(
        err("3674257BF7194E40000000"),
        "SGTIN-198 needs 25 or 26 bytes, got 11"
    );
}

#[test]
fn refuses_invalid_partition() {
    // 0x34, filter 3 (011), partition 7 (111): 0111 11.. = 0x7C.
    assert_eq!(
        err("347C257BF40000000000162E"),
        "EPC partition 7 is invalid"
    );
}

#[test]
fn refuses_values_needing_more_digits_than_the_partition_allows() {
    // Company prefix bits all ones with partition 5 (24 bits = 16777215, 8 digits > 7).
    let mut bytes = encode_giai96(0, "0614141", "5678").unwrap();
    bytes[1] |= 0x03;
    bytes[2] = 0xFF;
    bytes[3] = 0xFF;
    bytes[4] |= 0xFC;
    assert_eq!(
        decode(&bytes).unwrap_err().to_string(),
        "GIAI-96 company prefix 16777215 needs 8 digits; partition 5 allows 7"
    );
    // SGTIN item reference with 20 bits all ones (1048575: 7 digits > 6).
    let mut bytes = encode_sgtin96(0, "0614141", "812345", 1).unwrap();
    bytes[4] |= 0x03;
    bytes[5] = 0xFF;
    bytes[6] = 0xFF;
    bytes[7] |= 0xC0;
    assert_eq!(
        decode(&bytes).unwrap_err().to_string(),
        "SGTIN-96 item reference 1048575 needs 7 digits; partition 5 allows 6"
    );
    // Partition-0 SGLN whose zero-digit location reference is not zero.
    let mut bytes = encode_sgln96(0, "061414112345", "", 0).unwrap();
    // Location reference: the bit after 8+3+3+40 = 54 bits, i.e. byte 6, bit 1.
    bytes[6] |= 0x02;
    assert_eq!(
        decode(&bytes).unwrap_err().to_string(),
        "SGLN-96 location reference 1 must be 0 with partition 0"
    );
}

#[test]
fn refuses_sscc_reserved_bits() {
    assert_eq!(
        err("3174257BF4499602D2000001"),
        "SSCC-96 reserved bits are not zero (0x000001)"
    );
}

#[test]
fn refuses_giai202_text_after_terminator_and_bad_chars() {
    let mut bytes = encode_giai202(0, "0614141", "32a/b").unwrap();
    bytes[20] = 0x40;
    assert_eq!(
        decode(&bytes).unwrap_err().to_string(),
        "GIAI-202 asset reference has a character after its terminating zero"
    );
    // '#' (0x23) is not in the GS1 character set: first char 0x33 -> 0x23.
    let mut bytes = encode_giai202(0, "0614141", "32a/b").unwrap();
    let good = decode(&bytes).unwrap();
    assert_eq!(good.filter(), 0);
    // First character starts at bit 38 (8+3+3+24): byte 4 bit 1 .. byte 5 bit 2.
    // 0x33 = 011 0011 -> 0x23 = 010 0011: clear its 0x10 bit (bit 40).
    bytes[5] &= !0x80;
    assert_eq!(
        decode(&bytes).unwrap_err().to_string(),
        "GIAI-202 asset reference has character 0x23, which GS1 does not allow"
    );
    // All zeros after the prefix: an empty asset reference.
    let mut bytes = [0u8; 26];
    bytes[..5].copy_from_slice(&[0x38, 0x14, 0x25, 0x7B, 0xF4]);
    assert_eq!(
        decode(&bytes).unwrap_err().to_string(),
        "GIAI-202 asset reference is empty"
    );
}

#[test]
fn accepts_reserved_filters_but_encoders_refuse_them() {
    assert_eq!(decode_hex("3474257BF40000000000162E").unwrap().filter(), 3);
    assert_eq!(
        encode_giai96(3, "0614141", "5678").unwrap_err().to_string(),
        "filter 3 is reserved for GIAI (use one of 0, 1)"
    );
    assert_eq!(
        encode_sgtin96(5, "0614141", "812345", 1)
            .unwrap_err()
            .to_string(),
        "filter 5 is reserved for SGTIN (use one of 0, 1, 2, 4, 6, 7)"
    );
    assert!(encode_sgtin96(8, "0614141", "812345", 1).is_err());
}

#[test]
fn encoder_errors() {
    assert_eq!(
        encode_sgtin96(1, "0614141", "812345", 1 << 38)
            .unwrap_err()
            .to_string(),
        "SGTIN serial 274877906944 does not fit 38 bits"
    );
    assert_eq!(
        encode_giai96(0, "0614141", "05678")
            .unwrap_err()
            .to_string(),
        "GIAI asset reference \"05678\" has a leading zero"
    );
    assert_eq!(
        encode_giai96(0, "0614141", "56a8").unwrap_err().to_string(),
        "GIAI asset reference \"56a8\" is not a number"
    );
    assert_eq!(
        encode_giai96(0, "0614141", "288230376151711744")
            .unwrap_err()
            .to_string(),
        "GIAI asset reference 288230376151711744 does not fit 58 bits"
    );
    assert_eq!(
        encode_sgtin96(1, "0614141", "12345", 1).unwrap_err().to_string(),
        "SGTIN item reference \"12345\" must have 6 digits (indicator digit first) with a 7-digit company prefix"
    );
    assert_eq!(
        encode_sgtin96(1, "06141", "1234567", 1)
            .unwrap_err()
            .to_string(),
        "SGTIN company prefix \"06141\" must have 6 to 12 digits"
    );
    assert_eq!(
        encode_giai202(0, "0614141", "ABC#")
            .unwrap_err()
            .to_string(),
        "GIAI asset reference has character 0x23, which GS1 does not allow"
    );
    assert_eq!(
        encode_giai202(0, "0614141", "ABCDEFGHIJKLMNOPQRSTUVWX")
            .unwrap_err()
            .to_string(),
        "GIAI asset reference is longer than the 23 characters partition 5 allows"
    );
    assert_eq!(
        encode_giai202(0, "0614141", "").unwrap_err().to_string(),
        "GIAI asset reference is empty"
    );
}

#[test]
fn fuzz_one_accepts_examples_and_garbage() {
    for h in [
        "3074257BF7194E4000001A85",
        "3174257BF4499602D2000000",
        "3274257BF46072000000162E",
        "3374257BF40C0E400000162E",
        "3474257BF40000000000162E",
        "3874257BF59B2C2BF10000000000000000000000000000000000",
    ] {
        let bytes: Vec<u8> = (0..h.len() / 2)
            .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        fuzz_one(&bytes);
        fuzz_one(h.as_bytes());
    }
    fuzz_one(&[]);
    fuzz_one(&[0x38; 26]);
    fuzz_one(&[0xFF; 40]);
}

fn filter_for(allowed: &'static [u8]) -> impl Strategy<Value = u8> {
    prop::sample::select(allowed)
}

fn prefix() -> impl Strategy<Value = String> {
    (6usize..=12)
        .prop_flat_map(|n| prop::collection::vec(0u8..10, n))
        .prop_map(|d| d.iter().map(|x| char::from(b'0' + x)).collect())
}

proptest! {
    #[test]
    fn giai96_round_trips(filter in filter_for(&[0, 1]), prefix in prefix(), seed in any::<u64>()) {
        let bits = 82 - super::scheme::PREFIX_BITS[12 - prefix.len()];
        let asset = seed >> (64 - bits);
        let bytes = encode_giai96(filter, &prefix, &asset.to_string()).unwrap();
        let epc = decode(&bytes).unwrap();
        prop_assert_eq!(epc.filter(), filter);
        prop_assert_eq!(epc.id_uri(), format!("urn:epc:id:giai:{prefix}.{asset}"));
        prop_assert_eq!(epc.to_bytes(), bytes.to_vec());
    }

    #[test]
    fn giai202_round_trips(
        filter in filter_for(&[0, 1]),
        prefix in prefix(),
        asset in "[!\"%&'()*+,./0-9:;<=>?A-Z_a-z-]{1,18}",
    ) {
        let bytes = encode_giai202(filter, &prefix, &asset).unwrap();
        let epc = decode(&bytes).unwrap();
        prop_assert_eq!(epc.filter(), filter);
        prop_assert_eq!(epc.gs1_elements(), vec![("8004", format!("{prefix}{asset}"))]);
        prop_assert_eq!(epc.to_bytes(), bytes.to_vec());
        prop_assert!(!epc.id_uri().contains('/'));
    }

    #[test]
    fn sgtin96_round_trips(
        filter in filter_for(&[0, 1, 2, 4, 6, 7]),
        prefix in prefix(),
        seed in any::<u64>(),
        serial in 0u64..(1 << 38),
    ) {
        let digits = 13 - prefix.len();
        let item = format!("{:0width$}", seed % super::encode::pow10(digits), width = digits);
        let bytes = encode_sgtin96(filter, &prefix, &item, serial).unwrap();
        let epc = decode(&bytes).unwrap();
        prop_assert_eq!(
            epc.tag_uri(),
            format!("urn:epc:tag:sgtin-96:{filter}.{prefix}.{item}.{serial}")
        );
        let gs1 = epc.gs1_elements();
        prop_assert_eq!(gs1[0].1.len(), 14);
        prop_assert_eq!(&gs1[0].1[..1], &item[..1]);
        prop_assert_eq!(&gs1[1].1, &serial.to_string());
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..40)) {
        fuzz_one(&data);
    }

    #[test]
    fn valid_headers_with_random_bodies_never_panic(
        header in prop::sample::select(&[0x30u8, 0x31, 0x32, 0x33, 0x34, 0x36, 0x37, 0x38, 0x39][..]),
        body in prop::collection::vec(any::<u8>(), 25),
        len in prop::sample::select(&[12usize, 22, 25, 26][..]),
    ) {
        let mut data = vec![header];
        data.extend_from_slice(&body[..len - 1]);
        fuzz_one(&data);
    }
}
