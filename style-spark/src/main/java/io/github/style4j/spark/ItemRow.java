package io.github.style4j.spark;

import java.io.Serializable;

/** One item as a Dataset row (a Java bean, for Spark's bean encoder): the input and the style's name. */
public final class ItemRow implements Serializable {
    private static final long serialVersionUID = 1L;
    private String location;
    private String name;
    private String style;

    public ItemRow() {
    }

    ItemRow(String location, String name, String style) {
        this.location = location;
        this.name = name;
        this.style = style;
    }

    public String getLocation() {
        return location;
    }

    public void setLocation(String location) {
        this.location = location;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getStyle() {
        return style;
    }

    public void setStyle(String style) {
        this.style = style;
    }
}
