//! Query results as a text table, CSV, JSON (an array of objects) or Parquet.

use std::io::Write;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::parquet::arrow::ArrowWriter;

use crate::encode::writer_properties;
use crate::error::{WarehouseError, WarehouseResult};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// An aligned text table.
    Table,
    /// CSV with a header line.
    Csv,
    /// A JSON array of objects.
    Json,
    /// A Parquet file.
    Parquet,
}

impl std::str::FromStr for OutputFormat {
    type Err = WarehouseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "table" => Ok(OutputFormat::Table),
            "csv" => Ok(OutputFormat::Csv),
            "json" => Ok(OutputFormat::Json),
            "parquet" => Ok(OutputFormat::Parquet),
            other => Err(WarehouseError::Invalid(format!(
                "unknown output format `{other}`: use table, csv, json or parquet"
            ))),
        }
    }
}

/// Writes `batches` (with `schema`, used when there are no rows) to `out` in `format`.
pub fn write_batches(
    batches: &[RecordBatch],
    schema: &SchemaRef,
    format: OutputFormat,
    out: &mut dyn Write,
) -> WarehouseResult<()> {
    let io = |e: std::io::Error| WarehouseError::Storage(format!("cannot write the output: {e}"));
    match format {
        OutputFormat::Table => {
            if batches.iter().all(|b| b.num_rows() == 0) {
                let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
                writeln!(out, "({}) 0 rows", names.join(", ")).map_err(io)?;
            } else {
                writeln!(out, "{}", pretty_format_batches(batches)?).map_err(io)?;
            }
        }
        OutputFormat::Csv => {
            let mut writer = datafusion::arrow::csv::WriterBuilder::new().with_header(true).build(&mut *out);
            if batches.is_empty() {
                writer.write(&RecordBatch::new_empty(schema.clone()))?;
            }
            for b in batches {
                writer.write(b)?;
            }
        }
        OutputFormat::Json => {
            let mut writer = datafusion::arrow::json::ArrayWriter::new(&mut *out);
            for b in batches {
                writer.write(b)?;
            }
            writer.finish()?;
            drop(writer);
            writeln!(out).map_err(io)?;
        }
        OutputFormat::Parquet => {
            let mut writer = ArrowWriter::try_new(Vec::new(), schema.clone(), Some(writer_properties()))?;
            for b in batches {
                writer.write(b)?;
            }
            out.write_all(&writer.into_inner()?).map_err(io)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Arc;

    use datafusion::arrow::array::{Int64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    fn sample() -> (SchemaRef, RecordBatch) {
        let schema =
            Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false), Field::new("s", DataType::Utf8, true)]));
        let b = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(Int64Array::from(vec![1, 2])), Arc::new(StringArray::from(vec![Some("a"), None]))],
        )
        .unwrap();
        (schema, b)
    }

    fn render(format: OutputFormat, batches: &[RecordBatch], schema: &SchemaRef) -> String {
        let mut out = Vec::new();
        write_batches(batches, schema, format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn formats_render_rows_and_empty_results() {
        let (schema, b) = sample();
        assert_eq!(render(OutputFormat::Csv, std::slice::from_ref(&b), &schema), "n,s\n1,a\n2,\n");
        assert_eq!(
            render(OutputFormat::Json, std::slice::from_ref(&b), &schema),
            "[{\"n\":1,\"s\":\"a\"},{\"n\":2}]\n"
        );
        assert!(render(OutputFormat::Table, std::slice::from_ref(&b), &schema).contains("| 1 | a |"));
        assert_eq!(render(OutputFormat::Json, &[], &schema), "[]\n");
        assert_eq!(render(OutputFormat::Csv, &[], &schema), "n,s\n");
        assert_eq!(render(OutputFormat::Table, &[], &schema), "(n, s) 0 rows\n");
        let mut parquet = Vec::new();
        write_batches(&[b], &schema, OutputFormat::Parquet, &mut parquet).unwrap();
        assert_eq!(&parquet[..4], b"PAR1");
        assert!("xml".parse::<OutputFormat>().is_err());
        assert_eq!("CSV".parse::<OutputFormat>().unwrap(), OutputFormat::Csv);
    }
}
