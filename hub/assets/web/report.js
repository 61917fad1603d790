// The report page's one behaviour: the print button (the print style sheet hides the form).
document.getElementById("print").addEventListener("click", () => window.print());
