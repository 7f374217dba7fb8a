"""XLSForm, the spreadsheet format of KoboToolbox and ODK, to and from Sauti's survey files.

The workbook arrives here as rows (the shell reads the file with pyxform); nothing here reads
or writes a file."""

from dialogues.xlsform.importing import FormImport, import_form
from dialogues.xlsform.workbook import FormProblem, Location, Sheet, Workbook

__all__ = ["FormImport", "FormProblem", "Location", "Sheet", "Workbook", "import_form"]
