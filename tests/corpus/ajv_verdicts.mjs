// Judge the verdict corpus with Ajv, as a JavaScript consumer of the exported JSON Schemas would.
// stdin: {"schemas": {"<name>": "<path of a .schema.json>"}, "cases": [{"name", "schema": "<name>", "body"}]}
// stdout: {"<case name>": true | false}. Exits 1, naming the schema, when one does not compile in strict mode.
import Ajv2020 from "ajv/dist/2020.js";
import fs from "node:fs";

const request = JSON.parse(fs.readFileSync(0, "utf8"));
// Strict mode: an unknown keyword, an unknown format or a loose type in a schema is an error, not a shrug.
const ajv = new Ajv2020({ strict: true, allErrors: true });
// JSON Schema 2020-12 treats format as an annotation; the contract's integer formats are declared as such.
for (const format of ["int32", "int64"]) ajv.addFormat(format, true);

const validators = {};
for (const [name, path] of Object.entries(request.schemas)) {
  try {
    validators[name] = ajv.compile(JSON.parse(fs.readFileSync(path, "utf8")));
  } catch (error) {
    console.error(`${path}: ${error.message}`);
    process.exit(1);
  }
}
const verdicts = {};
for (const item of request.cases) verdicts[item.name] = validators[item.schema](item.body);
process.stdout.write(JSON.stringify(verdicts));
