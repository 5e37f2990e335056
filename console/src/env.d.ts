/** Stylesheets are bundled by esbuild (console/build.ts) into app.css. */
declare module "*.css";
