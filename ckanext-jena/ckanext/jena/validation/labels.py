"""Validation statuses as stewards read them."""
import ckan.plugins.toolkit as tk


def status_label(status: str) -> str:
    return {"pending": tk._("validation pending"), "valid": tk._("valid"),
            "invalid": tk._("invalid"), "error": tk._("could not be validated"),
            "": tk._("not yet validated")}.get(status or "", status)


def _errors():
    # (title, what it means) for the error types stewards meet most.
    return {
        "type-error": (tk._("Wrong data type"), tk._("A value does not match the type of its column, e.g. text in a number column.")),
        "constraint-error": (tk._("Constraint violated"), tk._("A value breaks a rule of the Table Schema (required, minimum, maximum, pattern, allowed values).")),
        "missing-cell": (tk._("Missing cell"), tk._("A row has fewer cells than there are columns.")),
        "extra-cell": (tk._("Extra cell"), tk._("A row has more cells than there are columns.")),
        "blank-row": (tk._("Blank row"), tk._("A row is empty.")),
        "blank-label": (tk._("Blank column name"), tk._("A column has no name.")),
        "duplicate-label": (tk._("Duplicate column name"), tk._("Two columns have the same name.")),
        "incorrect-label": (tk._("Unexpected column name"), tk._("A column name differs from the Table Schema.")),
        "missing-label": (tk._("Missing column"), tk._("A column of the Table Schema is missing.")),
        "extra-label": (tk._("Extra column"), tk._("The file has a column the Table Schema does not know.")),
        "primary-key": (tk._("Duplicate key"), tk._("A primary key value occurs more than once.")),
        "unique-error": (tk._("Value not unique"), tk._("A value that must be unique occurs more than once.")),
        "encoding-error": (tk._("Encoding error"), tk._("The file could not be decoded; save it as UTF-8.")),
        "geometry-error": (tk._("Invalid geometry"), tk._("A feature's geometry is missing or invalid.")),
        "descriptor-error": (tk._("Data package description"), tk._("The datapackage.json does not follow the Data Package specification, or names something the portal does not follow.")),
        "row-count": (tk._("Row count differs"), tk._("The file has a different number of rows than its data package says.")),
        "hash-count": (tk._("Checksum differs"), tk._("The file is not the file its data package describes (its SHA-256 differs).")),
        "format-error": (tk._("Format error"), tk._("The file cannot be read in its format.")),
        "source-error": (tk._("File not readable"), tk._("The file is empty or cannot be opened.")),
        "schema-error": (tk._("Table Schema error"), tk._("The Table Schema itself is not valid.")),
    }


def error_title(error_type: str, default: str) -> str:
    return _errors().get(error_type, (default, ""))[0]


def error_description(error_type: str, default: str) -> str:
    return _errors().get(error_type, ("", default))[1] or default
