// Starts Swagger UI on /openapi.json (a file, not an inline script: the CSP allows no inline code).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
