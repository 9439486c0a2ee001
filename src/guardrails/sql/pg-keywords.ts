// PostgreSQL's keywords as the parser scan uses (libpg-query 18.1) knows them: taken from the parser's
// own keyword table (kwlist.h, compiled into libpg-query's wasm), with each word's category.
// A test checks them against the parser (test/guardrails/understood-sql.test.ts).

const words = (s: string): ReadonlySet<string> => new Set(s.split(/\s+/).filter(Boolean));

/** Reserved and type/function-name keywords: not a column, table, constraint or index name (ColId). */
export const NOT_A_NAME = words(`
  all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate
  collation column concurrently constraint create cross current_catalog current_date current_role current_schema
  current_time current_timestamp current_user default deferrable desc distinct do else end except false fetch
  for foreign freeze from full grant group having ilike in initially inner intersect into is isnull join lateral
  leading left like limit localtime localtimestamp natural not notnull null offset on only or order outer
  overlaps placing primary references returning right select session_user similar some symmetric system_user
  table tablesample then to trailing true union unique user using variadic verbose when where window with
`);

/** Every keyword (a function name must be none of them here: some have grammar of their own). */
export const KEYWORDS = words(`
  abort absent absolute access action add admin after aggregate all also alter always analyse analyze and any
  array as asc asensitive assertion assignment asymmetric at atomic attach attribute authorization backward
  before begin between bigint binary bit boolean both breadth by cache call called cascade cascaded case cast
  catalog chain char character characteristics check checkpoint class close cluster coalesce collate collation
  column columns comment comments commit committed compression concurrently conditional configuration conflict
  connection constraint constraints content continue conversion copy cost create cross csv cube current
  current_catalog current_date current_role current_schema current_time current_timestamp current_user cursor
  cycle data database day deallocate dec decimal declare default defaults deferrable deferred definer delete
  delimiter delimiters depends depth desc detach dictionary disable discard distinct do document domain double
  drop each else empty enable encoding encrypted end enforced enum error escape event except exclude excluding
  exclusive execute exists explain expression extension external extract false family fetch filter finalize
  first float following for force foreign format forward freeze from full function functions generated global
  grant granted greatest group grouping groups handler having header hold hour identity if ilike immediate
  immutable implicit import in include including increment indent index indexes inherit inherits initially
  inline inner inout input insensitive insert instead int integer intersect interval into invoker is isnull
  isolation join json json_array json_arrayagg json_exists json_object json_objectagg json_query json_scalar
  json_serialize json_table json_value keep key keys label language large last lateral leading leakproof least
  left level like limit listen load local localtime localtimestamp location lock locked logged mapping match
  matched materialized maxvalue merge merge_action method minute minvalue mode month move name names national
  natural nchar nested new next nfc nfd nfkc nfkd no none normalize normalized not nothing notify notnull nowait
  null nullif nulls numeric object objects of off offset oids old omit on only operator option options or order
  ordinality others out outer over overlaps overlay overriding owned owner parallel parameter parser partial
  partition passing password path period placing plan plans policy position preceding precision prepare prepared
  preserve primary prior privileges procedural procedure procedures program publication quote quotes range read
  real reassign recursive ref references referencing refresh reindex relative release rename repeatable replace
  replica reset restart restrict return returning returns revoke right role rollback rollup routine routines row
  rows rule savepoint scalar schema schemas scroll search second security select sequence sequences serializable
  server session session_user set setof sets share show similar simple skip smallint snapshot some source sql
  stable standalone start statement statistics stdin stdout storage stored strict string strip subscription
  substring support symmetric sysid system system_user table tables tablesample tablespace target temp template
  temporary text then ties time timestamp to trailing transaction transform treat trigger trim true truncate
  trusted type types uescape unbounded uncommitted unconditional unencrypted union unique unknown unlisten
  unlogged until update user using vacuum valid validate validator value values varchar variadic varying verbose
  version view views virtual volatile when where whitespace window with within without work wrapper write xml
  xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize
  xmltable year yes zone
`);

/** Column-name keywords: names too, but also types with a grammar of their own (INT, VARCHAR, TIMESTAMP …). */
export const COL_NAME_KEYWORDS = words(`
  between bigint bit boolean char character coalesce dec decimal exists extract float greatest grouping inout
  int integer interval json json_array json_arrayagg json_exists json_object json_objectagg json_query
  json_scalar json_serialize json_table json_value least merge_action national nchar none normalize nullif
  numeric out overlay position precision real row setof smallint substring time timestamp treat trim values
  varchar xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot
  xmlserialize xmltable
`);
