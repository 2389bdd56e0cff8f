// The TypeScript half of generated/typescript/, written by `make generate` (scripts/generate.py runs this):
// - index.d.ts: a type per component schema of the tolerant reading (every field optional and nullable, open to new
//   fields and values), by openapi-typescript with the options in openapi-typescript.json;
// - validators/<Name>.<reading>.mjs: each exported JSON Schema (default, strict and tolerant reading) compiled into a
//   module of Ajv standalone code that needs nothing at run time, with its declarations (.d.mts), a type guard.
// usage: node scripts/typescript/generate.mjs <tolerant-openapi.json> <json-schema folder> <output folder> <notice>
import Ajv2020 from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import fs from "node:fs";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";

const [, , contract, schemas, output, notice] = process.argv;
const options = JSON.parse(fs.readFileSync(new URL("./openapi-typescript.json", import.meta.url), "utf8"));
delete options["//"];
const header = `// ${notice}\n// The types of the contract's tolerant reading, by openapi-typescript.\n\n`;

const types = await openapiTS(JSON.parse(fs.readFileSync(contract, "utf8")), { ...options, silent: true });
fs.mkdirSync(path.join(output, "validators"), { recursive: true });
fs.writeFileSync(path.join(output, "index.d.ts"), header + astToString(types));

// A reading's file suffix: <Name>.schema.json is the default reading, <Name>.strict.schema.json the strict one.
const READINGS = { default: ".schema.json", strict: ".strict.schema.json", tolerant: ".tolerant.schema.json" };
const names = fs.readdirSync(schemas).filter((file) => /^[A-Za-z0-9]+\.schema\.json$/.test(file))
  .map((file) => file.slice(0, -".schema.json".length)).sort();
for (const name of names) {
  for (const [reading, suffix] of Object.entries(READINGS)) {
    // The options Ajv reads the exports with in the tests (tests/corpus/ajv_verdicts.mjs): strict, every error.
    const ajv = new Ajv2020({ strict: true, allErrors: true, code: { source: true, esm: true } });
    for (const format of ["int32", "int64"]) ajv.addFormat(format, true);  // annotations, as in JSON Schema 2020-12
    const code = standaloneCode(ajv, ajv.compile(JSON.parse(fs.readFileSync(path.join(schemas, name + suffix), "utf8"))));
    // A module that requires Ajv's runtime helpers would not run without Ajv installed: refuse to write one.
    const needs = code.match(/require\("[^"]+"\)/g);
    if (needs) {
      console.error(`${name}${suffix}: the standalone code needs ${[...new Set(needs)].join(", ")}; bundle it first`);
      process.exit(1);
    }
    const module = `${name}.${reading}`;
    fs.writeFileSync(path.join(output, "validators", `${module}.mjs`), `// ${notice}\n` + code + "\n");
    fs.writeFileSync(path.join(output, "validators", `${module}.d.mts`), [
      `// ${notice}`,
      `// Whether a value conforms to the ${reading} reading of ${name}; its errors, as Ajv reports them, when not.`,
      `import type { ${name} } from "../index.js";`,
      `import type { ValidateFunction } from "./validation-error.js";`,
      "",
      `declare const validate: ValidateFunction<${name}>;`,
      "export { validate };",
      "export default validate;",
      "",
    ].join("\n"));
  }
}
fs.writeFileSync(path.join(output, "validators", "validation-error.d.ts"), `// ${notice}
// What a validator module reports, as Ajv's ErrorObject says it, restated so that nothing depends on Ajv.
export interface ValidationError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  propertyName?: string;
  message?: string;
}

// A type guard: every reading's conforming values are values of the tolerant types, the loosest of the three.
export interface ValidateFunction<T> {
  (data: unknown): data is T;
  errors?: ValidationError[] | null;
}
`);
