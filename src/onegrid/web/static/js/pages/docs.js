// Swagger UI at /docs over the app's OpenAPI document. A file of its own, not an inline script:
// the Content-Security-Policy allows scripts from this site only. SwaggerUIBundle is the global
// of the self-hosted bundle, loaded (deferred) before this module runs.

const root = document.getElementById('swagger-ui');
window.ui = SwaggerUIBundle({
  url: root.dataset.openapiUrl,
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  // The default validator badge would call out to the internet.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
