// Marks the page as scripted: Bootstrap then opens the menu's groups. Without JavaScript a group
// opens while its button has the focus (site.css, `html:not(.js)`).
document.documentElement.classList.add("js");
