'use strict';

/** The transfer service's answers as text for a terminal; pure. */

const ref = (e) => `${e.kind} "${e.name}"`;

/** A MailAuthError (or any error) with its field errors, one line each, where they are. */
function errorText(error, file) {
  const lines = [`${file ? `${file}: ` : ''}${error.message}`];
  for (const issue of error.errors || []) {
    const where = issue.line ? `line ${issue.line}, column ${issue.column}: ` : '';
    const entry = issue.entry ? `entry ${issue.entry.index + 1}${issue.entry.name ? ` "${issue.entry.name}"` : ''}${issue.entry.kind ? ` (${issue.entry.kind})` : ''}: ` : '';
    const path = (issue.path || []).slice(issue.path && issue.path[0] === 'yaml' ? (issue.entry ? 2 : 1) : 0).join('.');
    lines.push(`  ${where}${entry}${path ? `${path}: ` : ''}${issue.message}`);
  }
  if (error.advice) lines.push(`  ${error.advice}`);
  return lines.join('\n');
}

function importReportText(report) {
  const lines = [];
  for (const e of report.created) lines.push(`  create    ${ref(e)}`);
  for (const e of report.updated) lines.push(`  update    ${ref(e)}: ${e.changes.join(', ')}`);
  for (const e of report.unchanged) lines.push(`  unchanged ${ref(e)}`);
  for (const e of report.skipped) lines.push(`  skip      ${ref(e)}: differs in ${e.changes.join(', ')} (--overwrite to update)`);
  for (const e of report.needsConfiguration) {
    lines.push(`  ! ${ref(e)} will need settings completed before use: ${e.problems.map((p) => `${p.path.join('.')} ${p.message}`).join('; ')}`);
  }
  const verb = report.dryRun ? 'would be' : 'were';
  lines.push(
    `${report.created.length} ${verb} created, ${report.updated.length} updated, ${report.unchanged.length} unchanged, ${report.skipped.length} skipped.`
  );
  return lines.join('\n');
}

function diffReportText(report) {
  if (report.same) return 'No difference.';
  const lines = [];
  for (const e of report.onlyInFile) lines.push(`+ ${ref(e)} (only in the file)`);
  for (const e of report.onlyInDatabase) lines.push(`- ${ref(e)} (only in the database)`);
  for (const e of report.changed) lines.push(`~ ${ref(e)}: ${e.changes.join(', ')}`);
  return lines.join('\n');
}

module.exports = { errorText, importReportText, diffReportText };
